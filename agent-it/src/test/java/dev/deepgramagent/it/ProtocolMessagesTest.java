package dev.deepgramagent.it;

import dev.deepgramagent.simulator.SessionRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 2026 protocol in forked JVMs with the packaged agent: Configure answers, Error frames that
 * decide the close that follows, and the official SDK's reconnect chains.
 */
class ProtocolMessagesTest {

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.withLatency(Duration.ofMillis(300));

    @Test
    void configureAnswersAreCountedAndTheStreamGoesOn() throws Exception {
        Streaming.Outcome outcome = Streaming.run("4", "", "url=" + Streaming.url(SIM.get(), null), "seconds=1",
                "text={\"type\":\"Configure\",\"keyterms\":[\"alpha\"]}", "text2={\"type\":\"Configure\",\"keyterms\":\"alpha\"}",
                "end=closestream", "wait=10");
        assertEquals(50, outcome.words(), outcome.toString());
        Map<String, String> end = outcome.end();
        assertEquals("clean", end.get("root_cause"), outcome.toString());
        assertEquals("2", end.get("configure_sent"));
        assertEquals("1", end.get("configure_failed"));
        assertEquals("0", end.get("configure_unanswered"));
        assertEquals(List.of("ConfigureSuccess", "ConfigureFailure"), outcome.record(SIM.get()).configureAnswers());
        assertTrue(outcome.jvm.stderrLines().stream().noneMatch(l -> l.contains("alpha")), "keyterms never reach the agent's log");
    }

    /** A message the endpoint rejects: an unknown type on v1, a v1-only KeepAlive on Flux. */
    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource({"v1,active", "v1,observe", "flux,active", "flux,observe"})
    void anErrorFrameThenACloseIsMessageRejected(String endpoint, String mode) throws Exception {
        String url = endpoint.equals("v1") ? Streaming.url(SIM.get(), null) : SIM.get().fluxUrl() + FluxTest.FLUX_QUERY;
        String text = endpoint.equals("v1") ? "{\"type\":\"Bogus\"}" : "{\"type\":\"KeepAlive\"}";
        Streaming.Outcome outcome = Streaming.run("4", "mode=" + mode, "url=" + url, "seconds=0.5", "text=" + text,
                "end=none", "wait=10");
        Map<String, String> end = outcome.end();
        assertEquals("message_rejected", end.get("root_cause"), outcome.toString());
        assertEquals("unknown_message_type", end.get("error_variant"), outcome.toString());
        assertEquals("1008", end.get("close_code"), outcome.toString());
        SessionRecord record = outcome.record(SIM.get());
        assertEquals(List.of("UnknownMessageType"), record.errorsSent());
    }

    /**
     * The SDK pattern: the first socket is reset, the SDK reconnects with the same
     * x-deepgram-session-id; the second session ends clean. One reconnect, caused by network_reset.
     */
    @Test
    void theSdksReconnectChainIsCountedOnceWithThePreviousRootCause() throws Exception {
        String healthy = Streaming.url(SIM.get(), null);
        Streaming.Outcome outcome = Streaming.run("4", "", "url=" + Streaming.url(SIM.get(), "sim_fault=reset&sim_fault_after=500ms"),
                "reconnect_url=" + healthy, "sdk=true", "seconds=3", "realtime=true", "end=close", "wait=10");
        assertTrue(outcome.jvm.stdout().contains("RECONNECT 1"), outcome.toString());
        List<Map<String, String>> ends = outcome.sessionEnds();
        assertEquals(2, ends.size(), outcome.toString());
        assertEquals("network_reset", ends.get(0).get("root_cause"));
        assertEquals("clean", ends.get(1).get("root_cause"));

        List<String> reconnects = outcome.jvm.stderrLines().stream()
                .filter(l -> l.contains("\"message\":\"session reconnected after an abnormal end\"")).toList();
        assertEquals(1, reconnects.size(), outcome.toString());
        String first = outcome.requestIds().get(0);
        assertTrue(reconnects.get(0).contains("\"previous_root_cause\":\"network_reset\""), reconnects.get(0));
        assertTrue(reconnects.get(0).contains("\"previous_request_id\":\"" + first + "\""), reconnects.get(0));
    }
}
