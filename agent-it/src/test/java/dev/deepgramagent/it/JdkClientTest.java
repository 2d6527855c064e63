package dev.deepgramagent.it;

import dev.deepgramagent.simulator.SessionRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JDK's own {@code java.net.http.WebSocket}, the client of Deepgram's Java examples, against the
 * simulator at Deepgram's real timings: the same promises as on OkHttp (no lost words, no idle
 * timeouts, Flux's rules), within the JDK's rule of one outstanding send. The root-cause table is
 * {@link JdkRootCauseTest}.
 */
@Execution(ExecutionMode.CONCURRENT) // every test forks its own JVMs and opens its own simulator sessions
class JdkClientTest {

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.deepgramTimings();

    static String fluxUrl(String extraQuery) {
        return SIM.get().fluxUrl() + FluxTest.FLUX_QUERY + (extraQuery == null ? "" : "&" + extraQuery);
    }

    static Streaming.Outcome run(String agentOptions, String... app) throws Exception {
        return Streaming.run("4", agentOptions, withJdk(app));
    }

    static CompletableFuture<Streaming.Outcome> runAsync(String agentOptions, String... app) {
        return Streaming.runAsync("4", agentOptions, withJdk(app));
    }

    private static String[] withJdk(String[] app) {
        String[] args = new String[app.length + 1];
        System.arraycopy(app, 0, args, 0, app.length);
        args[app.length] = "client=jdk";
        return args;
    }

    /** 10 s of audio at real time, sendClose(1000) right after the last chunk. */
    @Test
    void closeRightAfterTheLastChunkLosesNothingWithTheAgent() throws Exception {
        String[] app = {"url=" + Streaming.url(SIM.get(), null), "seconds=10", "realtime=true", "end=close"};
        CompletableFuture<Streaming.Outcome> plain = runAsync(null, app);
        CompletableFuture<Streaming.Outcome> agent = runAsync("", app);

        Streaming.Outcome with = agent.get(90, TimeUnit.SECONDS);
        assertEquals(500, with.words(), "every chunk transcribed with the agent\n" + with);
        Map<String, String> end = with.end();
        assertEquals("clean", end.get("root_cause"), with.toString());
        assertEquals("jdk", end.get("library"));
        assertEquals("0.0", end.get("audio_lost_seconds"), with.toString());
        assertEquals("1", end.get("injected_finalize"), with.toString());
        assertTrue(with.jvm.stdout().contains("CLOSE returned true"), "the app's sendClose future completed\n" + with);
        assertFalse(with.jvm.stdout().contains("SEND_FAILED"), with.toString());

        Streaming.Outcome without = plain.get(90, TimeUnit.SECONDS);
        assertTrue(without.words() <= 475, "without the agent at least the last 0.5 s is lost: " + without.words() + "\n" + without);
    }

    /** 2 s of audio, a 25 s pause, 2 s more, close: Deepgram's 10 s idle window falls in the pause. */
    @Test
    void longPauseSurvivesWithKeepAlive() throws Exception {
        String[] app = {"url=" + Streaming.url(SIM.get(), null), "seconds=4", "realtime=true", "pause_after=2", "pause=25",
                "end=close", "wait=20"};
        CompletableFuture<Streaming.Outcome> plain = runAsync(null, app);
        CompletableFuture<Streaming.Outcome> agent = runAsync("", app);

        Streaming.Outcome with = agent.get(120, TimeUnit.SECONDS);
        assertEquals(200, with.words(), "every transcript arrives\n" + with);
        assertEquals("clean", with.rootCause(), with.toString());
        assertTrue(Integer.parseInt(with.end().get("injected_keepalive")) >= 4, with.toString());
        assertFalse(with.jvm.stdout().contains("SEND_FAILED"), "the app's sends after the pause were never refused\n" + with);

        Streaming.Outcome without = plain.get(120, TimeUnit.SECONDS);
        assertTrue(without.jvm.stdout().contains("CLOSING 1011 NET-0001"), "Deepgram's idle timeout\n" + without);
    }

    /**
     * The app does not wait for its last frames before it closes: its send is outstanding when the
     * agent's Finalize goes out. The JDK allows one outstanding send; the agent's waits for the app's.
     */
    @Test
    void anAppSendStillOutstandingWhenTheAgentWritesIsNeverRefused() throws Exception {
        Streaming.Outcome with = run("", "url=" + Streaming.url(SIM.get(), null), "seconds=6", "jdk_pipelined=true", "end=close");
        assertFalse(with.jvm.stdout().contains("SEND_FAILED"), "no IllegalStateException reached the app\n" + with);
        assertEquals(300, with.words(), with.toString());
        assertEquals("clean", with.rootCause(), with.toString());
        assertEquals("1", with.end().get("injected_finalize"), with.toString());
        assertFalse(with.jvm.stderr().contains("internal error"), with.toString());
    }

    /** A JDK socket that is not a Deepgram session (the simulator's /echo): nothing injected, nothing tracked. */
    @Test
    void otherJdkSocketsAreUntouched() throws Exception {
        Streaming.Outcome with = run("keepalive.interval=200ms", "url=" + SIM.get().echoUrl(), "seconds=1", "pause_after=0.5",
                "pause=1.5", "end=close", "wait=5");
        assertEquals(List.of(), with.sessionEnds(), with.toString());
        assertFalse(with.jvm.stderr().contains("tracking a Deepgram"), with.toString());
        assertTrue(with.jvm.stdout().contains("CLOSE returned true"), with.toString());
    }

    /** Flux: close in the middle of a turn; the agent ends the turn first, never with a v1 message. */
    @Test
    void aFluxMidTurnCloseDeliversTheTurn() throws Exception {
        String[] app = {"url=" + fluxUrl(null), "seconds=3", "realtime=true", "end=close", "wait=10"};
        CompletableFuture<Streaming.Outcome> plain = runAsync(null, app);
        Streaming.Outcome with = run("", app);
        assertEquals(150, with.words(), with.toString());
        assertEquals("clean", with.rootCause(), with.toString());
        assertEquals("1", with.end().get("injected_forceendturn"), with.toString());
        SessionRecord record = with.record(SIM.get());
        assertEquals(List.of("ForceEndTurn"), record.controlMessages());
        assertEquals(0, plain.get(90, TimeUnit.SECONDS).words(), "without the agent the close drops the turn");
    }

    /** Flux through a 20 s pause with an 8 s ping timeout: the JDK client has no pings, so the agent sends them. */
    @Test
    void aFluxPauseSurvivesOnTheAgentsPings() throws Exception {
        String[] app = {"url=" + fluxUrl("sim_ping_timeout=8s"), "seconds=2", "realtime=true", "pause_after=1", "pause=20",
                "tail_silence=0.6", "await_turn_end=true", "end=closestream", "wait=15"};
        CompletableFuture<Streaming.Outcome> observe = runAsync("mode=observe", app);
        Streaming.Outcome with = run("flux.ping.interval=3s", app);
        assertEquals(100, with.words(), with.toString());
        assertEquals("clean", with.rootCause(), with.toString());
        SessionRecord record = with.record(SIM.get());
        FluxTest.noV1Messages(record);
        assertTrue(record.pings() >= 4, "the agent's pings bridged the pause: " + record.pings());

        Streaming.Outcome off = observe.get(120, TimeUnit.SECONDS);
        assertEquals("server_idle_timeout", off.rootCause(), off.toString());
    }

    /** jdk.connect.timeout: a handshake to a server that accepts and never answers. */
    @Test
    void aHandshakeThatNeverCompletesEndsAtTheConfiguredTimeout() throws Exception {
        try (Blackhole blackhole = new Blackhole()) {
            Streaming.Outcome with = run("jdk.connect.timeout=1s", "url=" + blackhole.listenUrl(), "seconds=1", "end=close");
            assertTrue(with.jvm.stdout().contains("FAILURE java.net.http.HttpTimeoutException")
                    || with.jvm.stdout().contains("FAILURE java.net.http.HttpConnectTimeoutException"), with.toString());
            assertEquals("client_timeout", with.rootCause(), with.toString());
        }
    }
}
