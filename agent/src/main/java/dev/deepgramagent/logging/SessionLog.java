package dev.deepgramagent.logging;

import dev.deepgramagent.core.session.RootCause;
import dev.deepgramagent.core.session.Session;
import dev.deepgramagent.core.session.SessionEnd;
import dev.deepgramagent.core.session.SessionListener;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.Locale;

/**
 * The agent's structured session log: DEBUG when a session opens, INFO for each rescue, WARN for
 * every end that is not clean (INFO for clean ones). Never the key, the URL or transcript text.
 */
public final class SessionLog implements SessionListener {

    private final Logger log = AgentLogging.logger("session");

    @Override
    public void opened(Session session) {
        if (log.isDebugEnabled()) {
            log.atDebug().addKeyValue("library", session.library).addKeyValue("endpoint", session.endpoint.label())
                    .addKeyValue("request_id", session.requestId()).log("session opened");
        }
    }

    @Override
    public void reconnected(Session session, RootCause previous, String previousRequestId) {
        // Never the x-deepgram-session-id itself: the request ids are what Deepgram support asks for.
        log.atInfo().addKeyValue("library", session.library).addKeyValue("endpoint", session.endpoint.label())
                .addKeyValue("previous_root_cause", previous.label())
                .addKeyValue("previous_request_id", previousRequestId == null ? "" : previousRequestId)
                .log("session reconnected after an abnormal end");
    }

    @Override
    public void errorReceived(Session session, String variantLabel) {
        if (log.isDebugEnabled()) {
            log.atDebug().addKeyValue("library", session.library).addKeyValue("endpoint", session.endpoint.label())
                    .addKeyValue("request_id", session.requestId()).addKeyValue("variant", variantLabel)
                    .log("Deepgram sent an Error message");
        }
    }

    @Override
    public void ended(Session session, SessionEnd end) {
        if (end.rescued) {
            fields(log.atInfo(), end).log(session.flux
                    ? "rescued the end of a session: ended the turn before the app's close"
                    : "rescued the end of a session: flushed before the app's close");
        }
        LoggingEventBuilder b = end.rootCause == RootCause.CLEAN ? log.atInfo() : log.atWarn();
        fields(b, end).log("session ended");
    }

    private static LoggingEventBuilder fields(LoggingEventBuilder b, SessionEnd e) {
        b = b.addKeyValue("root_cause", e.rootCause.label())
                .addKeyValue("library", e.library)
                .addKeyValue("endpoint", e.endpoint)
                .addKeyValue("request_id", e.requestId == null ? "" : e.requestId)
                .addKeyValue("close_code", e.closeCode)
                .addKeyValue("close_reason", e.closeReason);
        if (e.handshakeStatus > 0) {
            b = b.addKeyValue("handshake_status", e.handshakeStatus);
        }
        if (e.error != null) {
            b = b.addKeyValue("error", e.error);
        }
        b = b.addKeyValue("duration_seconds", round(e.durationSeconds))
                .addKeyValue("audio_seconds", round(e.audioSeconds))
                .addKeyValue("audio_lost_seconds", round(e.lostSeconds))
                .addKeyValue("audio_rescued_seconds", round(e.rescuedSeconds))
                .addKeyValue("injected_finalize", e.injectedFinalizes)
                .addKeyValue("injected_closestream", e.injectedCloseStreams)
                .addKeyValue("injected_keepalive", e.injectedKeepAlives)
                .addKeyValue("injected_forceendturn", e.injectedForceEndTurns);
        if (e.configuresSent > 0) {
            b = b.addKeyValue("configure_sent", e.configuresSent).addKeyValue("configure_failed", e.configureFailures)
                    .addKeyValue("configure_unanswered", e.configuresUnanswered);
        }
        if (e.errorLabel != null) {
            b = b.addKeyValue("error_variant", e.errorLabel);
        }
        return b.addKeyValue("longest_send_gap_seconds", round(e.longestGapSeconds));
    }

    private static Double round(double v) {
        return Double.valueOf(String.format(Locale.ROOT, "%.3f", v));
    }
}
