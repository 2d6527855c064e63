package dev.deepgramagent.errors;

import dev.deepgramagent.logging.AgentLogging;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every failure inside the agent ends here: counted by kind, logged once per place, and, for
 * failures on a live socket path, the agent stops writing to sockets (it degrades to observing) so
 * a bug of ours can never harm a session twice.
 */
public final class InternalErrors {

    /** Fixed, small set: also used as a metric label. */
    /**
     * TRANSFORM: a class could not be instrumented; RUNTIME: an error on a socket path (the agent
     * then only observes); STARTUP: a part did not start; DIAGNOSTIC: a check that only reports
     * (audio preflight, settings lint) failed: that check stops, nothing else changes.
     */
    public enum Kind { TRANSFORM, RUNTIME, STARTUP, DIAGNOSTIC }

    private static final Map<Kind, AtomicLong> COUNTS = new ConcurrentHashMap<>();
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
    private static volatile boolean degraded;

    private InternalErrors() {
    }

    public static void record(Kind kind, String where, Throwable error) {
        try {
            COUNTS.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
            if (kind == Kind.RUNTIME) {
                degraded = true;
            }
            if (LOGGED.add(kind + ":" + where)) {
                AgentLogging.logger("errors").warn("internal error ({}) in {}; logged once, the app is unaffected{}",
                        kind.name().toLowerCase(java.util.Locale.ROOT), where,
                        kind == Kind.RUNTIME ? "; the agent now only observes" : "", error);
            }
        } catch (Throwable ignored) {
            // reporting must never fail the caller
        }
    }

    /** A failure that needs no stack trace (a busy port, say): counted and logged once, one line. */
    public static void record(Kind kind, String where, String problem) {
        try {
            COUNTS.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
            if (LOGGED.add(kind + ":" + where)) {
                AgentLogging.logger("errors").warn("{} unavailable: {}; the app is unaffected", where, problem);
            }
        } catch (Throwable ignored) {
            // reporting must never fail the caller
        }
    }

    public static long count(Kind kind) {
        AtomicLong c = COUNTS.get(kind);
        return c == null ? 0 : c.get();
    }

    /** True once a runtime error happened: the agent must no longer write to any socket. */
    public static boolean degraded() {
        return degraded;
    }
}
