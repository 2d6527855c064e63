package dev.deepgramagent.simulator;

import java.time.Duration;
import java.util.Locale;

/** Server-wide settings; every one can also be overridden per session by a query parameter. */
public final class SimulatorOptions {

    String host = "127.0.0.1";
    int port = 0;
    Duration idleTimeout = Duration.ofSeconds(10);
    Duration fluxIdleTimeout = Duration.ofSeconds(60);
    Duration eotSilence = Duration.ofMillis(400);
    Duration latency = Duration.ofMillis(500);
    Duration segment = Duration.ofSeconds(1);
    Duration faultAfter = Duration.ofSeconds(1);
    Duration flushDelay = Duration.ofSeconds(5);
    Duration closeHandshakeTimeout = Duration.ofSeconds(2);
    Fault fault = Fault.NONE;
    long resetAfterBytes = -1;
    int closeCode = 1011;
    String closeReason = "";
    int maxFrameBytes = 1 << 20;
    String apiKey;
    boolean logSessions;

    public static SimulatorOptions defaults() {
        return new SimulatorOptions();
    }

    public SimulatorOptions host(String value) {
        host = value;
        return this;
    }

    public SimulatorOptions port(int value) {
        port = value;
        return this;
    }

    /** Deepgram closes with 1011 NET-0001 when it receives nothing for this long (about 10 s). */
    public SimulatorOptions idleTimeout(Duration value) {
        idleTimeout = value;
        return this;
    }

    /**
     * Flux ({@code /v2/listen}) closes with 1011 NET-0001 when it receives no audio, no text message
     * and no WebSocket ping for this long (Deepgram reports a 60 s ping timeout).
     */
    public SimulatorOptions fluxIdleTimeout(Duration value) {
        fluxIdleTimeout = value;
        return this;
    }

    /** Flux: consecutive silent audio that ends a turn with {@code EndOfTurn} (trigger {@code model}). */
    public SimulatorOptions eotSilence(Duration value) {
        eotSilence = value;
        return this;
    }

    /** Processing delay between receiving audio and sending its results. */
    public SimulatorOptions latency(Duration value) {
        latency = value;
        return this;
    }

    /** Audio per final result when no silence ends the segment earlier. */
    public SimulatorOptions segment(Duration value) {
        segment = value;
        return this;
    }

    public SimulatorOptions fault(Fault value) {
        fault = value;
        return this;
    }

    public SimulatorOptions faultAfter(Duration value) {
        faultAfter = value;
        return this;
    }

    public SimulatorOptions flushDelay(Duration value) {
        flushDelay = value;
        return this;
    }

    public SimulatorOptions resetAfterBytes(long value) {
        resetAfterBytes = value;
        return this;
    }

    public SimulatorOptions close(int code, String reason) {
        closeCode = code;
        closeReason = reason;
        return this;
    }

    public SimulatorOptions maxFrameBytes(int value) {
        maxFrameBytes = value;
        return this;
    }

    /** Accept only this API key (any non-empty key when unset). */
    public SimulatorOptions apiKey(String value) {
        apiKey = value;
        return this;
    }

    /** Log one line per session end to stderr (the standalone simulator does). */
    public SimulatorOptions logSessions(boolean value) {
        logSessions = value;
        return this;
    }

    /** {@code 10s}, {@code 500ms}, {@code 1.5s}, {@code 2m}; a bare number is milliseconds. */
    public static Duration parseDuration(String raw) {
        String v = raw.trim().toLowerCase(Locale.ROOT);
        double factor;
        String number;
        if (v.endsWith("ms")) {
            factor = 1;
            number = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            factor = 1000;
            number = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            factor = 60_000;
            number = v.substring(0, v.length() - 1);
        } else {
            factor = 1;
            number = v;
        }
        double millis;
        try {
            millis = Double.parseDouble(number) * factor;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: '" + raw + "' (e.g. 500ms, 10s)");
        }
        if (millis < 0 || Double.isNaN(millis) || Double.isInfinite(millis)) {
            throw new IllegalArgumentException("not a duration: '" + raw + "'");
        }
        return Duration.ofMillis(Math.round(millis));
    }
}
