package dev.deepgramagent.core.session;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The official SDK's reconnect chains. Since 0.4 the SDK reopens a socket by itself after every
 * failure and every close other than 1000, and every socket of one SDK client carries the same
 * {@code x-deepgram-session-id} header. A session created within {@link #WINDOW_NANOS} of an
 * abnormal end with the same header value is a reconnect caused by that end. The header value is
 * a key in memory only: it never reaches a log or a metric.
 */
final class Reconnects {

    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(15);
    /** Bounds the memory a flood of failing clients can take; past it, chains are not followed. */
    static final int MAX_REMEMBERED = 10_000;

    static final class Previous {
        final RootCause rootCause;
        final String requestId;
        final long endedNanos;

        Previous(RootCause rootCause, String requestId, long endedNanos) {
            this.rootCause = rootCause;
            this.requestId = requestId;
            this.endedNanos = endedNanos;
        }
    }

    private final Map<String, Previous> recent = new ConcurrentHashMap<>();

    /**
     * Abnormal ends the SDK answers with a new socket: not the app's own close, cancel or exit (the
     * engine also skips any end after the app called close). Flux's clean end (a close without
     * status code) also makes the SDK reconnect; it is clean, so not counted as churn.
     */
    static boolean prompts(RootCause cause) {
        switch (cause) {
            case CLEAN:
            case CLIENT_CLOSE_UNFLUSHED:
            case CLIENT_CANCEL:
            case CLOSE_TIMEOUT:
            case JVM_SHUTDOWN:
                return false;
            default:
                return true;
        }
    }

    void remember(String clientSessionId, RootCause cause, String requestId, long now) {
        if (recent.size() < MAX_REMEMBERED || recent.containsKey(clientSessionId)) {
            recent.put(clientSessionId, new Previous(cause, requestId, now));
        }
    }

    /** The abnormal end this new session reconnects after, or null; each end is taken once. */
    Previous take(String clientSessionId, long now) {
        Previous p = recent.remove(clientSessionId);
        return p != null && now - p.endedNanos <= WINDOW_NANOS ? p : null;
    }

    void expire(long now) {
        for (Iterator<Previous> it = recent.values().iterator(); it.hasNext(); ) {
            if (now - it.next().endedNanos > WINDOW_NANOS) {
                it.remove();
            }
        }
    }
}
