package dev.deepgramagent.core.session;

/** Observers of session lifecycles: the log and the metrics. Must not throw and must be fast. */
public interface SessionListener {

    default void opened(Session session) {
    }

    /** A session opened before the agent was attached, found at its first event since (after {@link #opened}). */
    default void adopted(Session session) {
    }

    default void injected(Session session, String messageType) {
    }

    default void flushAnswered(Session session, double latencySeconds) {
    }

    default void ended(Session session, SessionEnd end) {
    }

    /** A new session continues a reconnect chain: it follows {@code previous}'s abnormal end. */
    default void reconnected(Session session, RootCause previous, String previousRequestId) {
    }

    /** Deepgram sent an {@code Error} frame; {@code variantLabel} is one of {@link ErrorFrames#LABELS}. */
    default void errorReceived(Session session, String variantLabel) {
    }

    /** The agent found a problem with the session's settings or audio (once per warning per session). */
    default void warning(Session session, dev.deepgramagent.core.diagnostics.SessionWarning warning, String detail) {
    }

    /** Deepgram answered a {@code Configure}. */
    default void configureAnswered(Session session, boolean success) {
    }
}
