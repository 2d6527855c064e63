package dev.deepgramagent.core.session;

import java.util.Locale;

/**
 * Why a Deepgram session ended: exactly one per session. Metrics, logs, dashboards, alerts and the
 * runbook all use these names (the {@code label()}), so they never change once released.
 */
public enum RootCause {
    /** Flushed and closed normally. */
    CLEAN,
    /** The app closed with audio unflushed and nothing rescued it: the last words were lost. */
    CLIENT_CLOSE_UNFLUSHED,
    /** Deepgram closed 1011 NET-0001: nothing was sent for ~10 s. */
    SERVER_IDLE_TIMEOUT,
    /** Deepgram closed 1011 NET-0000: no text frame produced in its window. */
    SERVER_PROCESSING_TIMEOUT,
    /** Deepgram closed 1008 DATA-0000: the audio could not be decoded. */
    BAD_AUDIO,
    /** Deepgram closed with any other code. */
    SERVER_ERROR,
    /**
     * Deepgram answered a text message the client sent with an {@code Error} frame (malformed JSON,
     * an unknown type such as a v1 message on Flux, an invalid Configure) and closed.
     */
    MESSAGE_REJECTED,
    /** Handshake answered 401 or 403. */
    HANDSHAKE_AUTH,
    /** Handshake answered 429. */
    HANDSHAKE_RATE_LIMITED,
    /** Handshake answered another 4xx (400, 402, ...). */
    HANDSHAKE_REJECTED,
    /** Handshake answered 5xx. */
    HANDSHAKE_SERVER_ERROR,
    /** The connection was lost without a close frame (reset, EOF, refused). */
    NETWORK_RESET,
    /** A client-side timeout: connect, read, ping/pong. */
    CLIENT_TIMEOUT,
    /** The app cancelled or aborted the socket. */
    CLIENT_CANCEL,
    /** A close was sent but the close handshake never completed. */
    CLOSE_TIMEOUT,
    /** The JVM shut down with the session open. */
    JVM_SHUTDOWN,
    /** None of the above could be established. */
    UNKNOWN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
