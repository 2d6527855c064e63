package dev.deepgramagent.it;

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
}
