package dev.deepgramagent.core.session;

import java.util.concurrent.Callable;

/**
 * Marks the agent's own writes to a socket (a flush, a KeepAlive, a deferred close), so that the
 * advice they pass through does not take them for the app's. Adapters whose writes complete on
 * another thread (a chained future) mark that thread too.
 */
public final class AgentWrites {

    private static final ThreadLocal<Boolean> ACTIVE = new ThreadLocal<>();
    /**
     * Agent writes in progress on any thread. The send path asks {@link #active()} on every frame (the
     * JDK's twice); while this is 0, which is nearly always, it answers with one field read instead
     * of a thread-local lookup.
     */
    private static final java.util.concurrent.atomic.AtomicInteger WRITING = new java.util.concurrent.atomic.AtomicInteger();

    private AgentWrites() {
    }

    /** Whether the current thread is writing for the agent. */
    public static boolean active() {
        return WRITING.get() != 0 && ACTIVE.get() == Boolean.TRUE;
    }

    /** Runs {@code write} as the agent's. */
    public static <T> T run(Callable<T> write) throws Exception {
        if (active()) {
            return write.call();
        }
        WRITING.incrementAndGet();
        try {
            ACTIVE.set(Boolean.TRUE);
            return write.call();
        } finally {
            ACTIVE.set(null); // not remove(): the app's next audio send on this thread would allocate the entry again
            WRITING.decrementAndGet();
        }
    }
}
