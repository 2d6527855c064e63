package dev.deepgramagent.core.session;

/** The outcome of one session, as logged and counted. Carries no transcript, URL or key. */
public final class SessionEnd {

    public static final int SAVED_BY_FINALIZE = 1;
    public static final int SAVED_BY_KEEPALIVE = 2;
    public static final int SAVED_BY_FORCE_END_TURN = 4;
    /** The {@code by} label of sessions_saved_total, in bit order. */
    public static final java.util.List<String> SAVED_BY = java.util.List.of("finalize", "keepalive", "force_end_turn");

    public final RootCause rootCause;
    public final String library;
    public final String endpoint;
    public final String requestId;
    public final int closeCode;        // -1 when there was no close frame
    public final String closeReason;   // Deepgram's reason code (NET-0001, ...), or the app's, truncated
    public final int handshakeStatus;  // 0 unless the handshake was rejected
    public final String error;         // the exception class name on failures, else null
    public final double durationSeconds;
    public final double audioSeconds;
    public final long audioBytes;
    public final double lostSeconds;
    public final double rescuedSeconds;
    public final boolean rescued;
    public final int injectedFinalizes;
    public final int injectedCloseStreams;
    public final int injectedKeepAlives;
    public final int injectedForceEndTurns;
    public final int configuresSent;
    public final int configureFailures;
    /** Configure messages Deepgram never answered (an over-limit update can stop a stream silently). */
    public final int configuresUnanswered;
    public final String errorLabel;    // the last Error frame's variant label, or null
    public final double longestGapSeconds;   // the app's own longest pause (the agent's writes do not end it)
    public final int savedBy;                // bits of SAVED_BY; 0 when the agent saved nothing
    public final int warnings;               // bits of SessionWarning ordinals
    public final String serverMessage;       // Deepgram's dg-error on a rejected handshake, redacted; or null
    public final double flushLatencySeconds; // -1 when no flush was answered
    public final boolean adopted;            // opened before an attach, tracked from a later event

    SessionEnd(RootCause rootCause, Session s, int closeCode, String closeReason, int handshakeStatus, String error,
               double durationSeconds, double lostSeconds, double rescuedSeconds, int savedBy, double longestGapSeconds) {
        this.rootCause = rootCause;
        this.library = s.library;
        this.endpoint = s.endpoint.label();
        this.requestId = s.requestId;
        this.closeCode = closeCode;
        this.closeReason = closeReason == null ? "" : closeReason;
        this.handshakeStatus = handshakeStatus;
        this.error = error;
        this.durationSeconds = durationSeconds;
        this.audioSeconds = s.audioSeconds();
        this.audioBytes = s.audioBytes();
        this.lostSeconds = lostSeconds;
        this.rescuedSeconds = rescuedSeconds;
        this.rescued = rescuedSeconds > 0;
        this.injectedFinalizes = s.injectedFinalizes;
        this.injectedCloseStreams = s.injectedCloseStreams;
        this.injectedKeepAlives = s.injectedKeepAlives;
        this.injectedForceEndTurns = s.injectedForceEndTurns;
        this.configuresSent = s.configuresSent;
        this.configureFailures = s.configureFailures;
        this.configuresUnanswered = Math.max(0, s.configuresSent - s.configureSuccesses - s.configureFailures);
        this.errorLabel = s.lastErrorLabel;
        this.longestGapSeconds = longestGapSeconds;
        this.savedBy = savedBy;
        this.warnings = s.warnings;
        this.serverMessage = s.serverMessage;
        this.flushLatencySeconds = s.lastFlushLatencyNanos < 0 ? -1 : s.lastFlushLatencyNanos / 1e9;
        this.adopted = s.adopted;
    }

    /** The {@code by} labels this session was saved by, in the fixed order. */
    public java.util.List<String> savedByLabels() {
        java.util.List<String> out = new java.util.ArrayList<>(3);
        for (int i = 0; i < SAVED_BY.size(); i++) {
            if ((savedBy & (1 << i)) != 0) {
                out.add(SAVED_BY.get(i));
            }
        }
        return out;
    }
}
