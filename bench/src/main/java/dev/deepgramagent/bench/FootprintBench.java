package dev.deepgramagent.bench;

import dev.deepgramagent.bench.apps.LeakCheckApp;
import dev.deepgramagent.bench.apps.SessionStateApp;
import dev.deepgramagent.simulator.DeepgramSimulator;
import dev.deepgramagent.simulator.SimulatorOptions;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

/**
 * The agent jar's size; the live heap each open session adds with the agent over without it; and
 * the leak check: thousands of sessions opened, streamed to and closed leave nothing behind.
 */
final class FootprintBench {

    private static final List<String> SERIAL_GC = List.of("-XX:+UseSerialGC", "-Xmx1g");

    static final double JAR_BUDGET_MB = 3.5;

    private FootprintBench() {
    }

    static void jar(Bench bench, Report report) throws Exception {
        double mb = Files.size(bench.agentJar) / 1_000_000.0;
        // 3 MB for OkHttp, the JDK client and Netty; 3.5 MB with every client library of the README's list.
        report.headline("jar_mb", mb, 2, mb <= JAR_BUDGET_MB);
        report.row("agent jar size", "", Report.fmt(mb, "MB"), "", "<= " + JAR_BUDGET_MB + " MB", mb <= JAR_BUDGET_MB);
    }

    static void heap(Bench bench, Report report) throws Exception {
        int n = bench.settings.heapSessions;
        Bench.progress("footprint: live heap the agent's engine keeps for " + n + " open sessions");
        JvmRun run = bench.run(SERIAL_GC, SessionStateApp.class, List.of(String.valueOf(n)), 180);
        if (run.number("sessions_tracked") != n + 1) { // and the warm-up session
            throw new IllegalStateException("the engine tracked " + run.values.get("sessions_tracked") + " of " + n + " sessions");
        }
        double perSession = run.number("heap_per_session_bytes");
        report.headline("session_heap_bytes", perSession, 0, perSession <= 2048);
        report.row("heap the agent keeps per open session", "", Report.fmt(perSession, "B"), Report.signed(perSession, "B"), "<= +2048 B",
                perSession <= 2048);
        report.detail("heap_sessions", n);
    }

    static void leak(Bench bench, Report report) throws Exception {
        int total = bench.settings.leakSessions;
        // A quick simulator: the agent's Finalize before each close is answered in 5 ms.
        try (DeepgramSimulator fast = DeepgramSimulator.start(SimulatorOptions.defaults().latency(Duration.ofMillis(5)))) {
            Bench.progress("leak check: " + total + " sessions opened, streamed to and closed, without and with the agent");
            List<String> plainArgs = List.of(fast.listenUrl(), String.valueOf(total),
                    String.valueOf(bench.settings.leakConcurrency), "-1");
            JvmRun plain = bench.run(SERIAL_GC, LeakCheckApp.class, plainArgs, 600);
            int port = Bench.freePort();
            List<String> agentArgs = List.of(fast.listenUrl(), String.valueOf(total),
                    String.valueOf(bench.settings.leakConcurrency), String.valueOf(port));
            JvmRun agent = bench.run(Bench.concat(SERIAL_GC, bench.agentArgsOnPort(port).toArray()), LeakCheckApp.class, agentArgs, 600);
            double leftPlain = plain.number("left_per_session_bytes");
            double leftAgent = agent.number("left_per_session_bytes");
            double active = agent.number("agent_sessions_active");
            double objectsLeft = agent.number("session_objects_left");
            double objectsOneOpen = agent.number("session_objects_one_open");
            if (objectsOneOpen != 2) { // a Session and its lookup-table slot
                throw new IllegalStateException("the class histogram saw " + objectsOneOpen + " of the agent's objects for one open session, not 2");
            }
            double opened = agent.number("agent_sessions_opened");
            double ended = agent.number("agent_sessions_ended");
            double endedUnknown = agent.number("agent_sessions_ended_unknown");
            if (opened < total || ended != opened || endedUnknown != 0) {
                throw new IllegalStateException("the agent's counts do not show every session ending through its close: opened "
                        + opened + ", ended " + ended + ", of which unknown " + endedUnknown);
            }
            double added = leftAgent - leftPlain;
            // No session state behind means both: the agent counts no session, and none of its
            // per-session objects survives a full collection. The heap difference is context: it
            // moves by tens of bytes per session between runs, on both sides, with OkHttp's own
            // shared state (its task runner's threads among it).
            report.headline("leak_sessions_left", active, 0, active == 0);
            report.headline("leak_session_objects_left", objectsLeft, 0, objectsLeft == 0);
            report.headline("leak_heap_bytes_per_session", added, 1, null);
            report.row(total + " sessions opened and closed: sessions held", "", Double.isNaN(active) ? "n/a" : String.valueOf((long) active), "", "0",
                    active == 0);
            report.row("  agent session objects still live", "", String.valueOf((long) objectsLeft), "", "0", objectsLeft == 0);
            report.row("  live heap left per session", Report.fmt(leftPlain, "B"), Report.fmt(leftAgent, "B"), Report.signed(added, "B"),
                    "(context)", null);
            report.detail("leak_session_objects_one_open", objectsOneOpen);
            report.detail("leak_agent_sessions_ended", ended);
            report.detail("leak_sessions", total);
            report.detail("leak_plain_seconds", plain.number("sessions_seconds"));
            report.detail("leak_agent_seconds", agent.number("sessions_seconds"));
        }
    }
}
