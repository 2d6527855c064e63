package dev.deepgramagent.it;

import dev.deepgramagent.it.apps.BystanderApp;
import dev.deepgramagent.simulator.SessionRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sockets that are not Deepgram sessions see no injected frame and behave exactly as without the agent. */
class UntouchedSocketsTest {

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.deepgramTimings();

    /** Another path on the simulator's own host: /echo. */
    @Test
    void anotherPathOnADeepgramHost() throws Exception {
        compare(SIM.get().echoUrl(), "hello");
    }

    /** The Deepgram path, but on a host that is not in hosts (localhost is not 127.0.0.1 for the agent). */
    @Test
    void anotherHost() throws Exception {
        compare(SIM.get().listenUrl().replace("127.0.0.1", "localhost") + Streaming.AUDIO, "{\"type\":\"KeepAlive\"}");
    }

    private void compare(String url, String text) throws Exception {
        int before = SIM.get().sessions().size();
        ForkedJvm.Result plain = ForkedJvm.app(BystanderApp.class).args(url, "1500", text).run();
        ForkedJvm.Result agent = ForkedJvm.app(BystanderApp.class)
                .withAgent("hosts=127.0.0.1,keepalive.interval=200ms,log.level=debug").args(url, "1500", text).run();
        assertEquals(0, agent.exitCode(), agent.toString());
        assertEquals(plain.stdout(), agent.stdout(), "the app saw the same callbacks");
        assertTrue(!agent.stderr().contains("tracking a Deepgram"), agent.toString());

        List<SessionRecord> sessions = SIM.get().sessions().subList(before, SIM.get().sessions().size());
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
