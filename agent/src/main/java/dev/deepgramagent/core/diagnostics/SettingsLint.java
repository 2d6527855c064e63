package dev.deepgramagent.core.diagnostics;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks a session's URL query at socket creation against Deepgram's rules for the endpoint. Reads
 * only the parameters named in {@link #READ}; free-form values (keyterm, keywords, search, replace,
 * tag, ...) are never read, so they can never reach a log line. The rules, one per row:
 *
 * <pre>
 * encoding raw (linear16 ... g729) without sample_rate        missing_sample_rate
 * amr-nb not at 8000 Hz, amr-wb not at 16000 Hz                sample_rate_mismatch
 * utterance_end_ms without interim_results=true                utterance_end_without_interim_results
 * utterance_end_ms not a whole number in 1000-5000             utterance_end_out_of_range
 * endpointing neither a whole number >= 0 nor false            endpointing_invalid
 * multichannel=true on raw audio (encoding) without channels    multichannel_without_channels
 * /v1/listen with a flux-* model; /v2/listen without one       model_endpoint_mismatch
 * eot_threshold 0.5-1.0, eager_eot_threshold 0.3-0.9 and not
 *   above eot_threshold, eot_timeout_ms 500-60000 (Flux)       flux_threshold_out_of_range
 * </pre>
 */
public final class SettingsLint {

    /** The only query parameters the lint reads. */
    static final Set<String> READ = Set.of("encoding", "sample_rate", "channels", "multichannel", "interim_results",
            "utterance_end_ms", "endpointing", "model", "eot_threshold", "eager_eot_threshold", "eot_timeout_ms");

    /** Encodings of raw (headerless) audio: Deepgram needs sample_rate with them. */
    static final Set<String> RAW_ENCODINGS = Set.of("linear16", "linear32", "mulaw", "alaw", "flac", "opus", "ogg-opus",
            "amr-nb", "amr-wb", "speex", "g729");

    private SettingsLint() {
    }

    public static List<SessionWarning.Finding> check(String url, boolean flux) {
        Map<String, String> q = query(url);
        List<SessionWarning.Finding> out = new ArrayList<>(2);
        String encoding = lower(q.get("encoding"));
        String rate = q.get("sample_rate");
        if (encoding != null && RAW_ENCODINGS.contains(encoding) && rate == null) {
            out.add(new SessionWarning.Finding(SessionWarning.MISSING_SAMPLE_RATE,
                    "encoding=" + encoding + " is raw audio and needs sample_rate"));
        }
        if (rate != null && ("amr-nb".equals(encoding) && !rate.equals("8000") || "amr-wb".equals(encoding) && !rate.equals("16000"))) {
            out.add(new SessionWarning.Finding(SessionWarning.SAMPLE_RATE_MISMATCH,
                    "encoding=" + encoding + " needs sample_rate=" + ("amr-nb".equals(encoding) ? "8000" : "16000") + ", the URL has " + rate));
        }
        String utteranceEnd = q.get("utterance_end_ms");
        if (utteranceEnd != null) {
            if (!"true".equals(lower(q.get("interim_results")))) {
                out.add(new SessionWarning.Finding(SessionWarning.UTTERANCE_END_WITHOUT_INTERIM_RESULTS,
                        "utterance_end_ms=" + utteranceEnd + " requires interim_results=true"));
            }
            Long ms = whole(utteranceEnd);
            if (ms == null || ms < 1000 || ms > 5000) {
                out.add(new SessionWarning.Finding(SessionWarning.UTTERANCE_END_OUT_OF_RANGE,
                        "utterance_end_ms=" + utteranceEnd + " is outside 1000-5000"));
            }
        }
        String endpointing = q.get("endpointing");
        Long endpointingMs = endpointing == null ? null : whole(endpointing);
        if (endpointing != null && !"false".equals(lower(endpointing)) && (endpointingMs == null || endpointingMs < 0)) {
            out.add(new SessionWarning.Finding(SessionWarning.ENDPOINTING_INVALID,
                    "endpointing=" + endpointing + " is neither a number of milliseconds nor false"));
        }
        // Containerised audio states its channels itself; raw audio (encoding set) needs them in the URL.
        if ("true".equals(lower(q.get("multichannel"))) && q.get("channels") == null && encoding != null) {
            out.add(new SessionWarning.Finding(SessionWarning.MULTICHANNEL_WITHOUT_CHANNELS, "multichannel=true needs channels"));
        }
        String model = lower(q.get("model"));
        boolean fluxModel = model != null && model.startsWith("flux");
        if (!flux && fluxModel) {
            out.add(new SessionWarning.Finding(SessionWarning.MODEL_ENDPOINT_MISMATCH,
                    "model=" + model + " is a Flux model: it is served on /v2/listen, not /v1/listen"));
        } else if (flux && !fluxModel) {
            out.add(new SessionWarning.Finding(SessionWarning.MODEL_ENDPOINT_MISMATCH, model == null
                    ? "/v2/listen (Flux) requires model=flux-general-en or another flux-* model"
                    : "model=" + model + " is not a Flux model: /v2/listen serves flux-* models only"));
        }
        if (flux) {
            String problem = fluxThresholds(q);
            if (problem != null) {
                out.add(new SessionWarning.Finding(SessionWarning.FLUX_THRESHOLD_OUT_OF_RANGE, problem));
            }
        }
        return out;
    }

    private static String fluxThresholds(Map<String, String> q) {
        Double eot = decimal(q.get("eot_threshold"));
        Double eager = decimal(q.get("eager_eot_threshold"));
        String timeout = q.get("eot_timeout_ms");
        if (q.get("eot_threshold") != null && (eot == null || eot < 0.5 || eot > 1.0)) {
            return "eot_threshold=" + q.get("eot_threshold") + " is outside 0.5-1.0";
        }
        if (q.get("eager_eot_threshold") != null && (eager == null || eager < 0.3 || eager > 0.9)) {
            return "eager_eot_threshold=" + q.get("eager_eot_threshold") + " is outside 0.3-0.9";
        }
        if (eager != null && eager > (eot == null ? 0.7 : eot)) {
            return "eager_eot_threshold=" + q.get("eager_eot_threshold") + " is above eot_threshold" + (eot == null ? " (default 0.7)" : "=" + eot);
        }
        Long ms = timeout == null ? null : whole(timeout);
        if (timeout != null && (ms == null || ms < 500 || ms > 60000)) {
            return "eot_timeout_ms=" + timeout + " is outside 500-60000";
        }
        return null;
    }

    /** The parameters in {@link #READ}, first value each, decoded; nothing else is even decoded. */
    static Map<String, String> query(String url) {
        Map<String, String> out = new HashMap<>();
        String raw = dev.deepgramagent.core.session.AudioFormat.rawQuery(url);
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!READ.contains(name) || out.containsKey(name)) {
                continue;
            }
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                value = URLDecoder.decode(value, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                // keep it raw
            }
            // Deepgram's own values are short tokens: anything else is shown as (invalid), so a
            // log line can never carry more than a token from the URL (nor a line break).
            out.put(name, value.matches("[A-Za-z0-9._-]{0,32}") ? value : "(invalid)");
        }
        return out;
    }

    private static String lower(String v) {
        return v == null ? null : v.toLowerCase(Locale.ROOT);
    }

    private static Long whole(String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Double decimal(String v) {
        if (v == null) {
            return null;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
