package dev.deepgramagent.it;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An internal failure inside the agent (forced with test.fail-on) never reaches the app: its socket
 * keeps working exactly as without the agent, the error is logged once, and the agent degrades to
 * observing.
 */
class InternalFailureTest {

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.withLatency(java.time.Duration.ofMillis(300));

    @ParameterizedTest
    @ValueSource(strings = {"send", "receive", "close"})
    void theAppsSocketKeepsWorking(String point) throws Exception {
        String[] app = {"url=" + Streaming.url(SIM.get(), null), "seconds=3", "realtime=true", "end=closestream"};
        Streaming.Outcome plain = Streaming.run("4", null, app);
        Streaming.Outcome failing = Streaming.run("4", "test.fail-on=" + point, app);

        assertEquals(0, failing.jvm.exitCode(), failing.toString());
        assertTrue(failing.ended(), failing.toString());
        assertEquals(plain.words(), failing.words(), "same transcripts as without the agent\n" + failing);
        assertEquals(150, failing.words(), failing.toString());
        assertTrue(failing.jvm.stdout().contains("CLOSED 1000"), failing.toString());
        assertTrue(!failing.jvm.stdout().contains("FAILURE"), failing.toString());
        long internalErrorLines = failing.jvm.stderrLines().stream().filter(l -> l.contains("internal error (runtime)")).count();
        assertEquals(1, internalErrorLines, "logged once\n" + failing);
        assertTrue(failing.jvm.stderr().contains("the agent now only observes"), failing.toString());
        assertTrue(!failing.jvm.stderr().contains("\"injected_keepalive\":1"), "no injection after degrading\n" + failing);
    }
}
