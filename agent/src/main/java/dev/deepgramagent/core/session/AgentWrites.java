package dev.deepgramagent.core.session;

import java.util.concurrent.Callable;

/**
 * Marks the agent's own writes to a socket (a flush, a KeepAlive, a deferred close), so that the
 * advice they pass through does not take them for the app's. Adapters whose writes complete on
 * another thread (a chained future) mark that thread too.
 */
public final class AgentWrites {

    private static final ThreadLocal<Boolean> ACTIVE = new ThreadLocal<>();

    private AgentWrites() {
    }

    /** Whether the current thread is writing for the agent. */
    public static boolean active() {
        return ACTIVE.get() == Boolean.TRUE;
    }

    /** Runs {@code write} as the agent's. */
    public static <T> T run(Callable<T> write) throws Exception {
        if (active()) {
            return write.call();
        }
        ACTIVE.set(Boolean.TRUE);
        try {
            return write.call();
        } finally {
            ACTIVE.set(null); // not remove(): the app's next audio send on this thread would allocate the entry again
        }
    }
}
