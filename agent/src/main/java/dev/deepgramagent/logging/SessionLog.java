package dev.deepgramagent.logging;

import dev.deepgramagent.config.AgentConfig;
import dev.deepgramagent.config.ConfigKey;
import dev.deepgramagent.core.diagnostics.SessionWarning;
import dev.deepgramagent.core.session.RootCause;
import dev.deepgramagent.core.session.Session;
import dev.deepgramagent.core.session.SessionEnd;
import dev.deepgramagent.core.session.SessionListener;
import org.slf4j.Logger;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The agent's structured session log. One line per session end: WARN when it ended abnormally, INFO
 * when the agent saved it (with {@code saved_by}), DEBUG when it ended clean (INFO with
 * {@code log.sessions=all}; nothing at all with {@code none}); WARN for each warning about its
 * settings or audio; INFO for each reconnect. {@code log.rate} bounds each kind per second, the rest
 * go into one summary line ({@link #reportSuppressed}). Never the key, the URL or transcript text.
 */
public final class SessionLog implements SessionListener {

    /** Looked up at the first line: the agent's start creates no logback context (see AgentLogging.startLine). */
    private volatile Logger log;
    private final String sessions;
    private final LogRateLimiter limiter;

    public SessionLog(AgentConfig config, LongSupplier clock) {
        this.sessions = config.text(ConfigKey.LOG_SESSIONS);
        this.limiter = new LogRateLimiter(config.integer(ConfigKey.LOG_RATE), clock);
    }

    @Override
    public void opened(Session session) {
        if (debugEnabled()) {
            log().atDebug().addKeyValue("library", session.library).addKeyValue("endpoint", session.endpoint.label())
                    .addKeyValue("request_id", session.requestId()).log("session opened");
        }
    }

    @Override
    public void adopted(Session session) {
        if (log().isInfoEnabled()) {
            log().atInfo().addKeyValue("library", session.library).addKeyValue("endpoint", session.endpoint.label())
                    .log("adopted a Deepgram session opened before the agent was attached; its earlier audio is not counted");
        }
    }

    @Override
    public void warning(Session session, SessionWarning warning, String detail) {
        if (!log().isWarnEnabled() || !limiter.allow(LogRateLimiter.Kind.WARNING)) {
            return;
        }
        log().atWarn().addKeyValue("warning", warning.label()).addKeyValue("library", session.library)
                .addKeyValue("endpoint", session.endpoint.label()).addKeyValue("request_id", orEmpty(session.requestId()))
                .addKeyValue("detail", detail).log("session warning: " + warning.label());
    }

    @Override
    public void reconnected(Session session, RootCause previous, String previousRequestId) {
        if (!log().isInfoEnabled() || !limiter.allow(LogRateLimiter.Kind.RECONNECT)) {
            return;
        }
        // Never the x-deepgram-session-id itself: the request ids are what Deepgram support asks for.
        log().atInfo().addKeyValue("library", session.library).addKeyValue("endpoint", session.endpoint.label())
                .addKeyValue("previous_root_cause", previous.label())
                .addKeyValue("previous_request_id", orEmpty(previousRequestId))
                .log("session reconnected after an abnormal end");
    }

    @Override
    public void errorReceived(Session session, String variantLabel) {
        if (debugEnabled()) {
            log().atDebug().addKeyValue("library", session.library).addKeyValue("endpoint", session.endpoint.label())
                    .addKeyValue("request_id", session.requestId()).addKeyValue("variant", variantLabel)
                    .log("Deepgram sent an Error message");
        }
    }

    @Override
    public void ended(Session session, SessionEnd end) {
        if (sessions.equals("none")) {
            return;
        }
        LoggingEventBuilder b;
        LogRateLimiter.Kind kind;
        if (end.rootCause != RootCause.CLEAN) {
            b = log().isWarnEnabled() ? log().atWarn() : null;
            kind = LogRateLimiter.Kind.ABNORMAL_END;
        } else if (end.savedBy != 0) {
            b = log().isInfoEnabled() ? log().atInfo() : null;
            kind = LogRateLimiter.Kind.SAVED_END;
        } else {
            boolean all = sessions.equals("all");
            b = all ? (log().isInfoEnabled() ? log().atInfo() : null) : (debugEnabled() ? log().atDebug() : null);
            kind = LogRateLimiter.Kind.CLEAN_END;
        }
        if (b != null && limiter.allow(kind)) {
            fields(b, end).log("session ended");
        }
    }

    /** Writes one summary line per kind of line suppressed since the last call. Called every second and at exit. */
    public void reportSuppressed() {
        for (Map.Entry<LogRateLimiter.Kind, Long> e : limiter.drain().entrySet()) {
            log().atWarn().addKeyValue("kind", e.getKey().name().toLowerCase(Locale.ROOT)).addKeyValue("suppressed", e.getValue())
                    .log("log.rate reached: " + e.getValue() + " " + e.getKey().description
                            + " not logged; the metrics count every session");
        }
    }

    private static LoggingEventBuilder fields(LoggingEventBuilder b, SessionEnd e) {
        b = b.addKeyValue("root_cause", e.rootCause.label())
                .addKeyValue("library", e.library)
                .addKeyValue("endpoint", e.endpoint)
                .addKeyValue("request_id", orEmpty(e.requestId))
                .addKeyValue("close_code", e.closeCode)
                .addKeyValue("close_reason", e.closeReason);
        if (e.savedBy != 0) {
            b = b.addKeyValue("saved_by", String.join(",", e.savedByLabels()));
        }
        if (e.adopted) {
            b = b.addKeyValue("adopted", true);
        }
        if (e.handshakeStatus > 0) {
            b = b.addKeyValue("handshake_status", e.handshakeStatus);
        }
        if (e.serverMessage != null) {
            b = b.addKeyValue("dg_error", e.serverMessage);
        }
        if (e.warnings != 0) {
            StringBuilder w = new StringBuilder();
            for (SessionWarning warning : SessionWarning.values()) {
                if ((e.warnings & warning.bit()) != 0) {
                    w.append(w.length() == 0 ? "" : ",").append(warning.label());
                }
            }
            b = b.addKeyValue("warnings", w.toString());
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

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static Double round(double v) {
        return Double.valueOf(String.format(Locale.ROOT, "%.3f", v));
    }

    /** Asks logback only where the configured level lets debug lines through. */
    private boolean debugEnabled() {
        return AgentLogging.debugEnabled() && log().isDebugEnabled();
    }

    private Logger log() {
        Logger l = log;
        if (l == null) {
            l = AgentLogging.logger("session");
            log = l;
        }
        return l;
    }
}
