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

    final Fault fault;
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
        model = q.getOrDefault("model", "base");

        this.fault = fault;
        idleTimeout = duration(q, "sim_idle_timeout", o.idleTimeout);
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
