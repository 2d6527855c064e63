package dev.deepgramagent.it;

import dev.deepgramagent.it.apps.BystanderApp;
import dev.deepgramagent.simulator.DeepgramSimulator;
import dev.deepgramagent.simulator.SessionRecord;
import dev.deepgramagent.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sockets that are not Deepgram sessions see no injected frame and behave exactly as without the agent. */
class UntouchedSocketsTest {

    static DeepgramSimulator sim;

    @BeforeAll
    static void start() throws Exception {
        sim = DeepgramSimulator.start(SimulatorOptions.defaults());
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    /** Another path on the simulator's own host: /echo. */
    @Test
    void anotherPathOnADeepgramHost() throws Exception {
        compare(sim.echoUrl(), "hello");
    }

    /** The Deepgram path, but on a host that is not in hosts (localhost is not 127.0.0.1 for the agent). */
    @Test
    void anotherHost() throws Exception {
        compare(sim.listenUrl().replace("127.0.0.1", "localhost") + Streaming.AUDIO, "{\"type\":\"KeepAlive\"}");
    }

    private void compare(String url, String text) throws Exception {
        int before = sim.sessions().size();
        ForkedJvm.Result plain = ForkedJvm.app(BystanderApp.class).args(url, "1500", text).run();
        ForkedJvm.Result agent = ForkedJvm.app(BystanderApp.class)
                .withAgent("hosts=127.0.0.1,keepalive.interval=200ms,log.level=debug").args(url, "1500", text).run();
        assertEquals(0, agent.exitCode(), agent.toString());
        assertEquals(plain.stdout(), agent.stdout(), "the app saw the same callbacks");
        assertTrue(!agent.stderr().contains("tracking a Deepgram"), agent.toString());

        List<SessionRecord> sessions = sim.sessions().subList(before, sim.sessions().size());
        assertEquals(2, sessions.size());
        for (SessionRecord s : sessions) {
            s.awaitEnd(10, TimeUnit.SECONDS);
        }
        // What the server received: the same frames, and no KeepAlive/Finalize, despite a 1.5 s pause and a close.
        assertEquals(sessions.get(0).controlMessages(), sessions.get(1).controlMessages());
        assertEquals(sessions.get(0).audioFrames(), sessions.get(1).audioFrames());
        assertEquals(sessions.get(0).closeCode(), sessions.get(1).closeCode());
        assertEquals(1, sessions.get(1).controlMessages().size(), "only the app's own text message: " + sessions.get(1).controlMessages());
    }
}
