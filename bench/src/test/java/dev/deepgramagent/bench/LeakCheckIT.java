package dev.deepgramagent.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark's leak check in the normal suite: 10,000 real OkHttp sessions opened, streamed to
 * and closed in a forked JVM with the packaged agent jar leave no session behind, neither in the
 * agent's own count nor as live objects after a full collection. Runs after the package phase,
 * on the bench jar that bench/run.sh uses.
 */
class LeakCheckIT {

    @Test
    void tenThousandRealSessionsLeaveNoSessionStateBehind() throws Exception {
        Path benchJar = Paths.get("target/deepgram-agent-bench.jar");
        Path agentJar = Paths.get(System.getProperty("agent.jar", "../agent/target/deepgram-agent.jar"));
        assertTrue(Files.isRegularFile(benchJar), benchJar + " is built by the package phase");
        assertTrue(Files.isRegularFile(agentJar), agentJar + " is built by the agent module");
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        // The OpenTelemetry agent is not used by the leak check.
        Bench bench = new Bench(java, benchJar, agentJar, null, Settings.quick());
        Report report = new Report();

        FootprintBench.leak(bench, report);

        assertEquals(10_000, report.details.get("leak_sessions"));
        assertEquals(0.0, report.headline.get("leak_sessions_left"), "sessions the agent still counts");
        assertEquals(0.0, report.headline.get("leak_session_objects_left"), "the agent's per-session objects still live");
        // The control that the histogram sees the agent's classes: one open session is a Session and its slot.
        assertEquals(2.0, report.details.get("leak_session_objects_one_open"));
    }
}
