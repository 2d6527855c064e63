package dev.deepgramagent.simulator;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/** One session's settings: Deepgram's query parameters and the simulator's sim_* overrides. */
final class SessionSettings {

    final String encoding;        // null: containerised audio, no encoding given
    final int sampleRate;
    final int channels;
    final boolean interimResults;
    final boolean vadEvents;
    final int utteranceEndMs;     // 0: off
    final String model;
    final boolean flux;           // /v2/listen
    final double eotThreshold;    // Flux: 0.5-1.0, default 0.7
    final double eagerEotThreshold; // Flux: 0.3-0.9, not above eotThreshold; -1: unset
    final int eotTimeoutMs;       // Flux: 500-60000, default 5000
    final Duration eotSilence;    // Flux: silence that ends a turn (simulator's model)

    final Fault fault;
    /** v1: the idle window (sim_idle_timeout); Flux: the ping timeout (sim_ping_timeout). */
    final Duration idleTimeout;
    final Duration latency;
    final Duration segment;
    final Duration faultAfter;
    final Duration flushDelay;
    final long resetAfterBytes;
    final int closeCode;
    final String closeReason;

    /** @throws IllegalArgumentException with the dg-error text for a 400. */
    SessionSettings(Map<String, String> q, SimulatorOptions o, Fault fault) {
        this(q, o, fault, false);
    }

    /** @throws IllegalArgumentException with the dg-error text for a 400. */
    SessionSettings(Map<String, String> q, SimulatorOptions o, Fault fault, boolean flux) {
        this.flux = flux;
        encoding = q.containsKey("encoding") ? q.get("encoding").toLowerCase(Locale.ROOT) : null;
        if (encoding != null && bytesPerSample(encoding) < 0) {
            throw new IllegalArgumentException("Unsupported encoding: " + encoding);
        }
        if (encoding != null && bytesPerSample(encoding) > 0 && !q.containsKey("sample_rate")) {
            throw new IllegalArgumentException("sample_rate is required for raw audio encoding " + encoding);
        }
        sampleRate = positiveInt(q, "sample_rate", 16000);
        channels = positiveInt(q, "channels", 1);
        interimResults = bool(q, "interim_results");
        vadEvents = bool(q, "vad_events");
        utteranceEndMs = q.containsKey("utterance_end_ms") ? positiveInt(q, "utterance_end_ms", 0) : 0;
        if (utteranceEndMs > 0 && !interimResults) {
            throw new IllegalArgumentException("utterance_end_ms requires interim_results=true");
        }
        // Deepgram's answer to these two is not documented; a 400 is the simulator's choice.
        String endpointing = q.get("endpointing");
        if (endpointing != null && !endpointing.equalsIgnoreCase("false") && !endpointing.matches("\\d+")) {
            throw new IllegalArgumentException("Invalid endpointing: expected a number of milliseconds or false");
        }
        if ("true".equalsIgnoreCase(q.get("multichannel")) && !q.containsKey("channels") && q.containsKey("encoding")) {
            throw new IllegalArgumentException("multichannel=true requires channels");
        }
        if (flux) {
            model = q.get("model");
            if (model == null || model.isEmpty()) {
                throw new IllegalArgumentException("model is required for /v2/listen (flux-general-en or flux-general-multi)");
            }
            if (!model.startsWith("flux-")) {
                throw new IllegalArgumentException("Model " + model + " is not available on /v2/listen: use a Flux model (flux-general-en, flux-general-multi)");
            }
            if (q.containsKey("language_hint") && !model.equals("flux-general-multi")) {
                throw new IllegalArgumentException("language_hint requires model flux-general-multi");
            }
            eotThreshold = decimal(q, "eot_threshold", 0.7, 0.5, 1.0);
            eagerEotThreshold = q.containsKey("eager_eot_threshold") ? decimal(q, "eager_eot_threshold", -1, 0.3, 0.9) : -1;
            if (eagerEotThreshold > eotThreshold) {
                throw new IllegalArgumentException("eager_eot_threshold must not be above eot_threshold");
            }
            double timeout = decimal(q, "eot_timeout_ms", 5000, 500, 60000);
            if (timeout != Math.rint(timeout)) {
                throw new IllegalArgumentException("Invalid eot_timeout_ms: " + q.get("eot_timeout_ms"));
            }
            eotTimeoutMs = (int) timeout;
        } else {
            model = q.getOrDefault("model", "base");
            if (model.startsWith("flux-")) {
                throw new IllegalArgumentException("Model " + model + " is a Flux model: use /v2/listen");
            }
            eotThreshold = 0.7;
            eagerEotThreshold = -1;
            eotTimeoutMs = 5000;
        }
        eotSilence = duration(q, "sim_eot_silence", o.eotSilence);

        this.fault = fault;
        idleTimeout = flux ? duration(q, "sim_ping_timeout", o.fluxIdleTimeout) : duration(q, "sim_idle_timeout", o.idleTimeout);
        latency = duration(q, "sim_latency", o.latency);
        segment = duration(q, "sim_segment", o.segment);
        faultAfter = duration(q, "sim_fault_after", o.faultAfter);
        flushDelay = duration(q, "sim_flush_delay", o.flushDelay);
        resetAfterBytes = q.containsKey("sim_reset_after_bytes") ? Long.parseLong(q.get("sim_reset_after_bytes")) : o.resetAfterBytes;
        closeCode = q.containsKey("sim_close_code") ? Integer.parseInt(q.get("sim_close_code")) : o.closeCode;
        closeReason = q.getOrDefault("sim_close_reason", o.closeReason);
    }

    /** Bytes per sample of raw encodings; 0 for compressed ones; -1 when unknown. */
    static int bytesPerSample(String encoding) {
        switch (encoding) {
            case "linear16": return 2;
            case "linear32": return 4;
            case "mulaw":
            case "alaw": return 1;
            case "flac":
            case "opus":
            case "ogg-opus":
            case "amr-nb":
            case "amr-wb":
            case "speex":
            case "g729": return 0;
            default: return -1;
        }
    }

    /** Seconds of audio in a frame: exact for raw encodings; 20 ms per frame for compressed or containerised audio. */
    double secondsOf(int bytes) {
        int bps = encoding == null ? 0 : bytesPerSample(encoding);
        if (bps <= 0) {
            return 0.020;
        }
        return bytes / (double) (bps * sampleRate * channels);
    }

    boolean rawEncoding() {
        return encoding != null && bytesPerSample(encoding) > 0;
    }

    private static int positiveInt(Map<String, String> q, String name, int dflt) {
        String v = q.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid " + name + ": " + v);
        }
    }

    /** A number in [min, max] (the ranges Flux documents for its thresholds). */
    static boolean inRange(Object value, double min, double max) {
        return value instanceof Double && (Double) value >= min && (Double) value <= max;
    }

    private static double decimal(Map<String, String> q, String name, double dflt, double min, double max) {
        String v = q.get(name);
        if (v == null) {
            return dflt;
        }
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid " + name + ": " + v);
        }
        if (!(d >= min && d <= max)) {
            throw new IllegalArgumentException("Invalid " + name + ": " + v + " (accepted: " + fmt(min) + " to " + fmt(max) + ")");
        }
        return d;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static boolean bool(Map<String, String> q, String name) {
        String v = q.get(name);
        if (v == null) {
            return false;
        }
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("Invalid " + name + ": " + v);
    }

    private static Duration duration(Map<String, String> q, String name, Duration dflt) {
        String v = q.get(name);
        try {
            return v == null ? dflt : SimulatorOptions.parseDuration(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid " + name + ": " + v);
        }
    }
}
