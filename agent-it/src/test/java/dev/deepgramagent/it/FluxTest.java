package dev.deepgramagent.it;

import dev.deepgramagent.simulator.SessionRecord;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flux ({@code /v2/listen}) on OkHttp 3.14.9, 4.12.0 and 5.x, against the simulator's Flux model at
 * Deepgram's timings: the agent never sends a v1-only message there, ends the turn in progress
 * before the app's close (ForceEndTurn), keeps idle sockets alive with pings, and calls Flux's
 * normal end (CloseStream, then a close without status code) clean.
 */
@Execution(ExecutionMode.CONCURRENT) // every test forks its own JVMs and opens its own simulator sessions
class FluxTest {

    static final String FLUX_QUERY = "?model=flux-general-en&encoding=linear16&sample_rate=16000";

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.deepgramTimings();

    static String url(String extraQuery) {
        return SIM.get().fluxUrl() + FLUX_QUERY + (extraQuery == null ? "" : "&" + extraQuery);
    }

    /** What must never reach Flux from the agent. */
    static void noV1Messages(SessionRecord record) {
        List<String> control = record.controlMessages();
        assertFalse(control.contains("KeepAlive") || control.contains("Finalize"), "a v1-only message reached Flux: " + control);
    }

    /** Flux's documented end: the turn has ended, the app sends CloseStream, Flux closes without a status code. */
    @ParameterizedTest(name = "okhttp {0}")
    @ValueSource(strings = {"3", "4", "5"})
    void closeStreamEndIsClean(String okhttp) throws Exception {
        Streaming.Outcome with = Streaming.run(okhttp, "", "url=" + url(null), "seconds=2", "realtime=true", "tail_silence=0.6",
                "await_turn_end=true", "end=closestream", "wait=10");
        assertEquals(100, with.words(), with.toString());
        assertTrue(with.jvm.stdout().contains("CLOSING 1005"), "Flux closes without a status code\n" + with);
        Map<String, String> end = with.end();
        assertEquals("clean", end.get("root_cause"), with.toString());
        assertEquals("/v2/listen", end.get("endpoint"));
        assertEquals("1005", end.get("close_code"));
        assertEquals("0.0", end.get("audio_lost_seconds"), with.toString());
        assertEquals("0.0", end.get("audio_rescued_seconds"), "nothing to rescue: the turn had ended");
        // The trailing silence after the turn is not yet confirmed by an Update when the app sends
        // CloseStream: the agent may ask with a ForceEndTurn, which Flux answers with a Warning.
        SessionRecord record = with.record(SIM.get());
        List<String> control = record.controlMessages();
        assertTrue(control.equals(List.of("CloseStream")) || control.equals(List.of("ForceEndTurn", "CloseStream")), control.toString());
        assertEquals(0, record.manualEndOfTurns());
    }

    /** 3 s of speech at real time and close(1000) in the middle of the turn. */
    @ParameterizedTest(name = "okhttp {0}, sdk pattern {1}")
    @CsvSource({"3,false", "4,false", "5,false", "4,true"})
    void aMidTurnCloseDeliversTheTurnWithTheAgentOnly(String okhttp, boolean sdk) throws Exception {
        String[] app = {"url=" + url(null), "seconds=3", "realtime=true", "end=close", "sdk=" + sdk, "wait=10"};
        CompletableFuture<Streaming.Outcome> plain = Streaming.runAsync(okhttp, null, app);
        CompletableFuture<Streaming.Outcome> agent = Streaming.runAsync(okhttp, "", app);

        Streaming.Outcome with = agent.get(90, TimeUnit.SECONDS);
        assertEquals(150, with.words(), "every chunk of the turn arrives in its EndOfTurn\n" + with);
        Map<String, String> end = with.end();
        assertEquals("clean", end.get("root_cause"), with.toString());
        assertEquals("1", end.get("injected_forceendturn"), with.toString());
        assertEquals("0", end.get("injected_finalize"), with.toString());
        assertEquals("0.0", end.get("audio_lost_seconds"), with.toString());
        assertTrue(Double.parseDouble(end.get("audio_rescued_seconds")) >= 2.9, with.toString());
        SessionRecord record = with.record(SIM.get());
        assertEquals(List.of("ForceEndTurn"), record.controlMessages());
        assertEquals(1, record.manualEndOfTurns());

        Streaming.Outcome without = plain.get(90, TimeUnit.SECONDS);
        assertEquals(0, without.words(), "without the agent the close drops the whole turn\n" + without);
    }

    /** The app's CloseStream in the middle of a turn: Flux would close without ending the turn. */
    @ParameterizedTest(name = "okhttp {0}")
    @ValueSource(strings = {"3", "4", "5"})
    void aMidTurnCloseStreamIsHeldUntilTheTurnEnds(String okhttp) throws Exception {
        String[] app = {"url=" + url(null), "seconds=2", "realtime=true", "end=closestream", "wait=10"};
        CompletableFuture<Streaming.Outcome> observe = Streaming.runAsync(okhttp, "mode=observe", app);
        CompletableFuture<Streaming.Outcome> agent = Streaming.runAsync(okhttp, "", app);

        Streaming.Outcome with = agent.get(90, TimeUnit.SECONDS);
        assertEquals(100, with.words(), with.toString());
        assertTrue(with.jvm.stdout().contains("CLOSESTREAM sent=true"), "the app's send is accepted at once\n" + with);
        assertEquals("clean", with.rootCause(), with.toString());
        assertEquals(List.of("ForceEndTurn", "CloseStream"), with.record(SIM.get()).controlMessages());

        Streaming.Outcome off = observe.get(90, TimeUnit.SECONDS);
        assertEquals(0, off.words(), off.toString());
        assertEquals("client_close_unflushed", off.rootCause(), "a turn left unfinished\n" + off);
        assertEquals(List.of("CloseStream"), off.record(SIM.get()).controlMessages(), "observe mode writes nothing");
    }

    /**
     * 1 s of speech, a 20 s pause without frames, 1 s more, CloseStream. Flux's ping timeout is 8 s
     * here (60 s at Deepgram): the agent's pings keep the socket open; never a KeepAlive.
     */
    @ParameterizedTest(name = "okhttp {0}")
    @ValueSource(strings = {"3", "4", "5"})
    void aLongPauseSurvivesOnPingsAndNeverSeesKeepAlive(String okhttp) throws Exception {
        String[] app = {"url=" + url("sim_ping_timeout=8s"), "seconds=2", "realtime=true", "pause_after=1", "pause=20",
                "tail_silence=0.6", "await_turn_end=true", "end=closestream", "wait=15"};
        CompletableFuture<Streaming.Outcome> observe = Streaming.runAsync(okhttp, "mode=observe,keepalive.interval=2s", app);
        CompletableFuture<Streaming.Outcome> agent = Streaming.runAsync(okhttp, "flux.ping.interval=3s,keepalive.interval=2s", app);

        Streaming.Outcome with = agent.get(120, TimeUnit.SECONDS);
        assertEquals(100, with.words(), with.toString());
        assertEquals("clean", with.rootCause(), with.toString());
        assertEquals("0", with.end().get("injected_keepalive"), with.toString());
        SessionRecord record = with.record(SIM.get());
        noV1Messages(record);
        assertTrue(record.pings() >= 5, "the agent's pings bridged the pause: " + record.pings());

        Streaming.Outcome off = observe.get(120, TimeUnit.SECONDS);
        assertEquals("server_idle_timeout", off.rootCause(), off.toString());
        SessionRecord observed = off.record(SIM.get());
        noV1Messages(observed);
        assertEquals(0, observed.pings(), "observe mode turns nothing on");
        assertEquals(List.of(), observed.controlMessages(), "observe mode writes nothing");
    }
}
