package dev.deepgramagent.it;

import dev.deepgramagent.it.apps.AttachTargetApp;
import dev.deepgramagent.it.apps.ConflictApp;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An app with its own logback + SLF4J, Byte Buddy and Prometheus simpleclient (other versions than
 * the agent's) and its own logback.xml behaves exactly the same with the agent attached.
 */
class IsolationTest {

    @Test
    void appOutputLoggingAndMetricsAreUnchangedByTheAgent() throws Exception {
        ForkedJvm.Result plain = ForkedJvm.app(ConflictApp.class).run();
        assertEquals(0, plain.exitCode(), plain.toString());
        assertTrue(plain.stdout().contains("APPLOG|INFO|ConflictApp|app starting with its own logback"), plain.toString());
        assertTrue(plain.stdout().contains("app_requests_total{route=\"/home\",} 3.0"), plain.toString());

        ForkedJvm.Result withAgent = ForkedJvm.app(ConflictApp.class)
                .withAgent("hosts=127.0.0.1,log.level=debug").run();
        assertEquals(0, withAgent.exitCode(), withAgent.toString());

        // The agent was really at work in that JVM: it instrumented OkHttp and saw the Deepgram socket.
        assertTrue(withAgent.stderr().contains("instrumented okhttp3.internal.ws.RealWebSocket"), withAgent.toString());
        assertTrue(withAgent.stderr().contains("okhttp: tracking a Deepgram /v1/listen session"), withAgent.toString());

        assertEquals(plain.stdout(), withAgent.stdout(), "the app's stdout (logs and metrics) changed");
        assertEquals(plain.stderr(), withAgent.stderrWithoutAgent(), "the app's stderr changed");
    }

    /**
     * The start line is written before the agent's logback context exists (see AgentLogging.startLine),
     * in the same layouts as every other line: text by default, one JSON object with log.format=json.
     */
    @Test
    void theStartLineHasTheConfiguredLayout() throws Exception {
        String line = startLine("hosts=127.0.0.1");
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z deepgram-agent INFO  deepgram-agent \\S+ started: "
                + "mode=active, hosts=127\\.0\\.0\\.1, instrumenting okhttp .*"), line);
        String json = startLine("hosts=127.0.0.1,log.format=json");
        assertTrue(json.matches("\\{\"ts\":\"[^\"]+Z\",\"level\":\"INFO\",\"logger\":\"deepgram-agent\\.agent\",\"message\":"
                + "\"deepgram-agent \\S+ started: mode=active, hosts=127\\.0\\.0\\.1, instrumenting okhttp .*\"}"), json);
    }

    private static String startLine(String agentArgs) throws Exception {
        try (ForkedJvm.Running app = ForkedJvm.app(AttachTargetApp.class).withAgent(agentArgs).start()) {
            String stderr = app.awaitStderr(text -> text.contains(" started: mode="), 60);
            app.send("exit");
            assertEquals(0, app.awaitExit(30).exitCode(), app.snapshot());
            return stderr.lines().filter(l -> l.contains(" started: mode=")).findFirst().orElseThrow();
        }
    }
}
