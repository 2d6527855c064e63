package dev.deepgramagent.core.session;

/** Observers of session lifecycles: the log and the metrics. Must not throw and must be fast. */
public interface SessionListener {

    default void opened(Session session) {
    }

    default void injected(Session session, String messageType) {
    }

    default void flushAnswered(Session session, double latencySeconds) {
    }

    default void ended(Session session, SessionEnd end) {
    }
}
