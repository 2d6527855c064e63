package dev.deepgramagent.core.diagnostics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class SettingsLintTest {

    private static List<String> v1(String query) {
        return labels(SettingsLint.check("wss://api.deepgram.com/v1/listen?" + query, false));
    }

    private static List<String> v2(String query) {
        return labels(SettingsLint.check("wss://api.deepgram.com/v2/listen?" + query, true));
    }

    private static List<String> labels(List<SessionWarning.Finding> findings) {
        return findings.stream().map(f -> f.warning.label()).collect(Collectors.toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "model=nova-3&encoding=linear16&sample_rate=16000&channels=1&interim_results=true&utterance_end_ms=1000&endpointing=300",
            "model=nova-3&endpointing=false&smart_format=true",
            "model=nova-3&encoding=mulaw&sample_rate=8000",
            "model=nova-3&multichannel=true&channels=2&encoding=linear16&sample_rate=48000",
            "",
            "model=nova-3&keyterm=utterance_end_ms%3D1&search=model%3Dflux&tag=endpointing",
            "model=nova-3&multichannel=true",
            "model=nova-3&keyterm=a|b&encoding=linear16&sample_rate=16000"})
    void normalV1SettingsRaiseNothing(String query) {
        assertEquals(List.of(), v1(query));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "model=flux-general-en&encoding=linear16&sample_rate=16000",
            "model=flux-general-en&eot_threshold=0.8&eager_eot_threshold=0.5&eot_timeout_ms=5000",
            "model=flux-general-multi&language_hint=en"})
    void normalFluxSettingsRaiseNothing(String query) {
        assertEquals(List.of(), v2(query + "&keyterm=a|b{c}"), "characters OkHttp leaves unencoded in a query");
        assertEquals(List.of(), v2(query));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "encoding=linear16&channels=1 | missing_sample_rate",
            "encoding=opus | missing_sample_rate",
            "encoding=amr-nb&sample_rate=16000 | sample_rate_mismatch",
            "encoding=amr-wb&sample_rate=8000 | sample_rate_mismatch",
            "utterance_end_ms=1000 | utterance_end_without_interim_results",
            "utterance_end_ms=1000&interim_results=false | utterance_end_without_interim_results",
            "utterance_end_ms=500&interim_results=true | utterance_end_out_of_range",
            "utterance_end_ms=soon&interim_results=true | utterance_end_out_of_range",
            "endpointing=fast | endpointing_invalid",
            "endpointing=-5 | endpointing_invalid",
            "endpointing=true | endpointing_invalid",
            "encoding=linear16&sample_rate=16000&multichannel=true | multichannel_without_channels",
            "model=flux-general-en | model_endpoint_mismatch"})
    void eachV1Rule(String query, String expected) {
        assertEquals(List.of(expected), v1(query));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "model=nova-3 | model_endpoint_mismatch",
            "encoding=linear16&sample_rate=16000 | model_endpoint_mismatch",
            "model=flux-general-en&eot_threshold=0.3 | flux_threshold_out_of_range",
            "model=flux-general-en&eager_eot_threshold=0.95 | flux_threshold_out_of_range",
            "model=flux-general-en&eot_threshold=0.6&eager_eot_threshold=0.8 | flux_threshold_out_of_range",
            "model=flux-general-en&eot_timeout_ms=100 | flux_threshold_out_of_range"})
    void eachFluxRule(String query, String expected) {
        assertEquals(List.of(expected), v2(query));
    }

    @Test
    void findingsNameOnlyDeepgramsOwnParameters() {
        List<SessionWarning.Finding> f = SettingsLint.check(
                "wss://api.deepgram.com/v1/listen?keyterm=Acme%20secret&utterance_end_ms=800&search=private&token=abc", false);
        assertEquals(List.of("utterance_end_without_interim_results", "utterance_end_out_of_range"), labels(f));
        for (SessionWarning.Finding finding : f) {
            assertFalse(finding.detail.contains("Acme") || finding.detail.contains("private") || finding.detail.contains("abc"), finding.detail);
        }
        List<SessionWarning.Finding> forged = SettingsLint.check(
                "wss://api.deepgram.com/v1/listen?endpointing=1%0A{\"level\":\"ERROR\"}", false);
        assertEquals("endpointing=(invalid) is neither a number of milliseconds nor false", forged.get(0).detail,
                "a value that is not a token is never shown");
    }
}
