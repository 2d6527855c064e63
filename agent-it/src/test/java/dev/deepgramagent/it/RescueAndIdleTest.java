package dev.deepgramagent.it;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's two promises, on OkHttp 3.14.9, 4.12.0 and 5.x, against the simulator at Deepgram's
 * real timings (500 ms processing latency, 10 s idle window): no lost words, no idle timeouts.
 */
@Execution(ExecutionMode.CONCURRENT) // every test forks its own JVMs and opens its own simulator sessions
class RescueAndIdleTest {

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.deepgramTimings();

    /** 10 s of audio at real time, close(1000) right after the last chunk. */
    // 3.14.9, 4.12.0 and 5.5.1 are woven at build time; 4.11.0 is woven at run time.
    @ParameterizedTest(name = "okhttp {0}, sdk pattern {1}")
    @CsvSource({"3,false", "4,false", "5,false", "3,true", "4,true", "5,true", "4.11,false"})
    void closeRightAfterTheLastChunkLosesNothingWithTheAgent(String okhttp, boolean sdk) throws Exception {
        String[] app = {"url=" + Streaming.url(SIM.get(), null), "seconds=10", "realtime=true", "end=close", "sdk=" + sdk};
        CompletableFuture<Streaming.Outcome> plain = Streaming.runAsync(okhttp, null, app);
        CompletableFuture<Streaming.Outcome> agent = Streaming.runAsync(okhttp, "", app);

        Streaming.Outcome with = agent.get(90, TimeUnit.SECONDS);
        assertEquals(500, with.words(), "every chunk transcribed with the agent\n" + with);
        assertTrue(with.jvm.stdout().contains("last=chunk-499"), with.toString());
        Map<String, String> end = with.end();
        assertEquals("clean", end.get("root_cause"), with.toString());
        assertEquals("0.0", end.get("audio_lost_seconds"), with.toString());
        assertTrue(Double.parseDouble(end.get("audio_rescued_seconds")) > 0, with.toString());
        assertEquals("1", end.get("injected_finalize"), with.toString());
        assertTrue(with.jvm.stdout().contains("CLOSE returned true"), "close() returns what OkHttp returns");

        Streaming.Outcome without = plain.get(90, TimeUnit.SECONDS);
        assertTrue(without.words() < 500, "without the agent the tail is lost\n" + without);
        assertTrue(without.words() <= 475, "at least the last 0.5 s (processing latency) is lost: " + without.words());
    }

    /** 2 s of audio, a 25 s pause, 2 s more, close: Deepgram's 10 s idle window falls in the pause. */
    @ParameterizedTest(name = "okhttp {0}")
    @ValueSource(strings = {"3", "4", "5"})
    void longPauseSurvivesWithKeepAlive(String okhttp) throws Exception {
        String[] app = {"url=" + Streaming.url(SIM.get(), null), "seconds=4", "realtime=true", "pause_after=2", "pause=25",
                "end=close", "wait=20"};
        CompletableFuture<Streaming.Outcome> plain = Streaming.runAsync(okhttp, null, app);
        CompletableFuture<Streaming.Outcome> agent = Streaming.runAsync(okhttp, "", app);
        CompletableFuture<Streaming.Outcome> noKeepAlive = Streaming.runAsync(okhttp, "keepalive.interval=0", app);

        Streaming.Outcome with = agent.get(120, TimeUnit.SECONDS);
        assertEquals(200, with.words(), "every transcript arrives\n" + with);
        assertEquals("clean", with.rootCause(), with.toString());
        assertTrue(Integer.parseInt(with.end().get("injected_keepalive")) >= 4, with.toString());
        assertTrue(!with.jvm.stdout().contains("CLOSING 1011"), with.toString());

        Streaming.Outcome without = plain.get(120, TimeUnit.SECONDS);
        assertTrue(without.jvm.stdout().contains("CLOSING 1011 NET-0001"), "Deepgram's idle timeout\n" + without);
        assertTrue(without.words() < 200, without.toString());

        Streaming.Outcome off = noKeepAlive.get(120, TimeUnit.SECONDS);
        assertEquals("server_idle_timeout", off.rootCause(), off.toString());
        assertEquals("1011", off.end().get("close_code"));
        assertEquals("NET-0001", off.end().get("close_reason"));
    }
}
