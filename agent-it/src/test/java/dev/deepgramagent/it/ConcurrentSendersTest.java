package dev.deepgramagent.it;

import dev.deepgramagent.it.apps.ConcurrentSendersApp;
import dev.deepgramagent.simulator.SessionRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Some apps send one session's audio from several threads. Four threads send 5,000 frames each on
 * one OkHttp socket: the agent's audio count equals what the app handed to send() and what the
 * server received, byte for byte. OkHttp's send is synchronized, so here the advice runs one thread
 * at a time but on four threads; the engine's own race (senders at the same instant, no library
 * lock) is SessionEngineTest.audioCountsAreExactWithConcurrentSenders.
 */
class ConcurrentSendersTest {

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.deepgramTimings();

    @Test
    void audioCountsAreExactWithFourSendingThreads() throws Exception {
        int port = ForkedJvm.freePort();
        // The app hands OkHttp about 400 s of audio in a burst, then closes: the Finalize is answered only
        // once the simulator has worked through all of it, which under CI's load of parallel JVMs took
        // longer than the default finalize.timeout's cap (5 x 2 s of progress). An app that queues that much
        // sets a longer finalize.timeout; this test is about the counts, not that wait.
        ForkedJvm.Result r = ForkedJvm.app(ConcurrentSendersApp.class)
                .withAgent("hosts=127.0.0.1,metrics.host=127.0.0.1,metrics.port=" + port + ",finalize.timeout=10s")
                .args(Streaming.url(SIM.get(), ""), "4", "5000", String.valueOf(port)).run();
        assertEquals(0, r.exitCode(), r.toString());
        Matcher app = Pattern.compile("APP sent=(\\d+)").matcher(r.stdout());
        assertTrue(app.find(), r.toString());
        long sent = Long.parseLong(app.group(1));
        assertEquals(5000L * (640 + 642 + 644 + 646), sent, r.toString());

        Matcher counted = Pattern.compile("METRIC deepgram_agent_audio_sent_bytes_total\\{library=\"okhttp\",} (\\S+)").matcher(r.stdout());
        assertTrue(counted.find(), r.toString());
        assertEquals(sent, (long) Double.parseDouble(counted.group(1)), "the agent's count\n" + r);

        List<SessionRecord> sessions = SIM.get().awaitSessions(1, 10, TimeUnit.SECONDS);
        assertEquals(sent, sessions.get(0).audioBytes(), "what the server received");
        assertTrue(r.stdout().contains("root_cause=\"clean\""), "the app's close, finalized first\n" + r.stdout());
    }
}
