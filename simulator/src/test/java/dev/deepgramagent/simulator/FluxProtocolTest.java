package dev.deepgramagent.simulator;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Flux ({@code /v2/listen}): turns, ForceEndTurn, CloseStream, pings, Configure and rejections, with OkHttp. */
class FluxProtocolTest {

    static final String PARAMS = "?model=flux-general-en&encoding=linear16&sample_rate=16000";
    static final long LATENCY_MS = 150;
    static DeepgramSimulator sim;

    @BeforeAll
    static void start() throws Exception {
        sim = DeepgramSimulator.start(SimulatorOptions.defaults().latency(Duration.ofMillis(LATENCY_MS)).faultAfter(Duration.ofMillis(300)));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    static OkClient open(String extraQuery) throws Exception {
        return OkClient.connect(sim.fluxUrl() + PARAMS + extraQuery).awaitOpen();
    }

    static SessionRecord session(OkClient c) throws Exception {
        String id = c.opened.get(5, TimeUnit.SECONDS).header("dg-request-id");
        return sim.sessions().stream().filter(s -> s.requestId().equals(id)).findFirst().orElseThrow();
    }

    static void silence(OkClient c, int frames) {
        for (int i = 0; i < frames; i++) {
            c.sendAudio(TestAudio.silence());
        }
    }

    static double num(String json, String field) {
        return OkClient.number(json, field);
    }

    @Test
    void connectedOnOpen() throws Exception {
        OkClient c = open("");
        String connected = c.awaitType("Connected", 5000);
        assertNotNull(connected);
        String requestId = c.opened.get().header("dg-request-id");
        assertEquals("{\"type\":\"Connected\",\"request_id\":\"" + requestId + "\",\"sequence_id\":0}", connected);
        SessionRecord s = session(c);
        assertEquals("/v2/listen", s.path());
        assertTrue(s.isFlux());
        assertEquals("flux-general-en", s.query().get("model"));
        c.socket.close(1000, null);
        assertEquals(1000, s.awaitEnd(5, TimeUnit.SECONDS).closeCode());
    }

    @Test
    void speechThenSilenceIsOneTurnWhoseWindowsAgreeWithTheAudio() throws Exception {
        OkClient c = open("");
        long sent = System.nanoTime();
        c.stream(0, 50);   // 1 s of speech
        silence(c, 25);    // 0.5 s of silence: the default 400 ms ends the turn at 1.4 s
        String eot = c.awaitMessage(m -> m.contains("\"event\":\"EndOfTurn\""), 5000);
        assertNotNull(eot);
        assertNotNull(c.awaitMessage(m -> m.contains("\"audio_window_end\":1.500"), 5000), "the Update at 1.5 s");

        String start = c.turnInfos("StartOfTurn").get(0);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        assertTrue(ms >= LATENCY_MS, "messages wait for the latency: " + ms + " ms");
        assertEquals(1, c.turnInfos("StartOfTurn").size());
        assertEquals(0, (int) num(start, "turn_index"));
        assertEquals(0.0, num(start, "audio_window_start"), 1e-9);
        assertEquals(0.02, num(start, "audio_window_end"), 1e-9);
        assertEquals(List.of("chunk-0"), OkClient.words(start));

        assertEquals(1, c.turnInfos("EndOfTurn").size());
        assertEquals(OkClient.chunkWords(0, 50), OkClient.words(eot));
        assertEquals(String.join(" ", OkClient.chunkWords(0, 50)), OkClient.field(eot, "transcript"));
        assertEquals("model", OkClient.field(eot, "trigger"));
        assertEquals(0, (int) num(eot, "turn_index"));
        assertEquals(0.0, num(eot, "audio_window_start"), 1e-9);
        assertEquals(1.0, num(eot, "audio_window_end"), 1e-9);
        assertEquals(0.7, num(eot, "end_of_turn_confidence"), 1e-9);

        // An Update at every 0.25 s of audio: in the turn it covers the turn so far, after it the audio since.
        List<String> updates = c.turnInfos("Update");
        assertEquals(6, updates.size(), String.valueOf(updates));
        double[] ends = {0.26, 0.5, 0.76, 1.0, 1.26, 1.5};
        for (int i = 0; i < 5; i++) {
            String u = updates.get(i);
            assertEquals(ends[i], num(u, "audio_window_end"), 1e-9, u);
            assertEquals(0.0, num(u, "audio_window_start"), 1e-9, u);
            assertEquals(0, (int) num(u, "turn_index"));
            assertFalse(u.contains("\"trigger\""), u);
        }
        assertEquals(OkClient.chunkWords(0, 13), OkClient.words(updates.get(0)));
        String after = updates.get(5);
        assertEquals(1.0, num(after, "audio_window_start"), 1e-9, after);
        assertEquals("", OkClient.field(after, "transcript"));
        assertEquals(1, (int) num(after, "turn_index"), "between turns: the next turn's index");

        // sequence_id counts every message from 0, in order.
        List<String> seq = c.messages;
        for (int i = 0; i < seq.size(); i++) {
            assertEquals(i, (int) num(seq.get(i), "sequence_id"), seq.get(i));
        }

        c.stream(50, 5); // speech again: turn 1 starts where its first frame starts
        String second = c.awaitMessage(m -> m.contains("\"event\":\"StartOfTurn\"") && m.contains("\"turn_index\":1"), 5000);
        assertEquals(1.5, num(second, "audio_window_start"), 1e-9);

        c.socket.close(1000, null);
        SessionRecord s = session(c).awaitEnd(5, TimeUnit.SECONDS);
        assertEquals(OkClient.chunkWords(0, 50), s.finalWords());
        assertEquals(1, s.endOfTurns());
        assertEquals(0, s.manualEndOfTurns());
        assertEquals(1.6, s.audioSeconds(), 1e-9);
        assertEquals(0.1, s.droppedSeconds(), 1e-9, "the unfinished second turn's speech");
    }

    @Test
    void forceEndTurnMidTurnDeliversEveryWordWithTriggerManual() throws Exception {
        OkClient c = open("");
        c.stream(0, 30);
        c.socket.send("{\"type\":\"ForceEndTurn\"}");
        String eot = c.awaitMessage(m -> m.contains("\"event\":\"EndOfTurn\""), 5000);
        assertNotNull(eot);
        assertEquals("manual", OkClient.field(eot, "trigger"));
        assertEquals(OkClient.chunkWords(0, 30), OkClient.words(eot));
        assertEquals(0.0, num(eot, "audio_window_start"), 1e-9);
        assertEquals(0.6, num(eot, "audio_window_end"), 1e-9);

        c.stream(30, 5); // the next speech opens turn 1
        String next = c.awaitMessage(m -> m.contains("\"event\":\"StartOfTurn\"") && m.contains("\"turn_index\":1"), 5000);
        assertEquals(0.6, num(next, "audio_window_start"), 1e-9);
        c.socket.close(1000, null);
        SessionRecord s = session(c).awaitEnd(5, TimeUnit.SECONDS);
        assertEquals(List.of("ForceEndTurn"), s.controlMessages());
        assertEquals(1, s.manualEndOfTurns());
        assertEquals(OkClient.chunkWords(0, 30), s.finalWords());
    }

    @Test
    void forceEndTurnWithoutATurnGetsAWarningOnly() throws Exception {
        OkClient c = open("");
        silence(c, 15); // 0.3 s, no turn
        c.socket.send("{\"type\":\"ForceEndTurn\"}");
        String warning = c.awaitType("Warning", 5000);
        assertEquals("NO_ACTIVE_TURN", OkClient.field(warning, "code"));
        assertNotNull(OkClient.field(warning, "description"));
        String update = c.turnInfos("Update").get(0);
        assertEquals(0.0, num(update, "audio_window_start"), 1e-9);
        assertEquals(0.26, num(update, "audio_window_end"), 1e-9);
        assertEquals("", OkClient.field(update, "transcript"));
        assertTrue(c.turnInfos("EndOfTurn").isEmpty());
        SessionRecord s = session(c);
        assertFalse(s.isEnded(), "a Warning leaves the connection open");
        c.socket.close(1000, null);
        assertEquals(0, s.awaitEnd(5, TimeUnit.SECONDS).endOfTurns());
    }

    @Test
    void closeStreamMidTurnSendsAnUpdateAndClosesWithoutAStatusCode() throws Exception {
        OkClient c = open("");
        c.stream(0, 30);
        c.socket.send("{\"type\":\"CloseStream\"}");
        assertEquals(1005, c.closeCode(), "no status code: OkHttp reports 1005");
        String last = c.messages.get(c.messages.size() - 1);
        assertEquals("Update", OkClient.field(last, "event"), last);
        assertEquals(OkClient.chunkWords(0, 30), OkClient.words(last));
        assertEquals(0.6, num(last, "audio_window_end"), 1e-9);
        assertTrue(c.turnInfos("EndOfTurn").isEmpty(), "CloseStream does not finish the turn");
        assertTrue(c.ofType("Results").isEmpty() && c.ofType("Metadata").isEmpty());
        SessionRecord s = session(c).awaitEnd(5, TimeUnit.SECONDS);
        assertEquals(SessionRecord.EndedBy.SERVER, s.endedBy());
        assertEquals(1005, s.closeCode());
        assertEquals("", s.closeReason());
        assertEquals(List.of(), s.finalWords());
        assertEquals(0.6, s.droppedSeconds(), 1e-9);
    }

    @Test
    void clientCloseMidTurnDropsTheTurn() throws Exception {
        OkClient c = open("&sim_latency=1s");
        c.stream(0, 30);
        silence(c, 25); // the turn ends in the model, but its EndOfTurn is still in processing
        c.socket.close(1000, "Client disconnecting");
        SessionRecord s = session(c).awaitEnd(5, TimeUnit.SECONDS);
        assertEquals(SessionRecord.EndedBy.CLIENT, s.endedBy());
        assertEquals(1000, s.closeCode());
        assertEquals(0, s.endOfTurns());
        assertEquals(List.of(), s.finalWords());
        assertEquals(0.6, s.droppedSeconds(), 1e-9);
        c.closeCode();
        assertTrue(c.ofType("TurnInfo").isEmpty(), String.valueOf(c.messages));
    }

    @ParameterizedTest
    @ValueSource(strings = {"KeepAlive", "Finalize", "Transcribe faster"})
    void v1MessagesAndUnknownTypesGetAnErrorAndClose1008(String type) throws Exception {
        OkClient c = open("");
        c.stream(0, 5);
        c.socket.send("{\"type\":\"" + type + "\"}");
        assertEquals(1008, c.closeCode());
        assertEquals("INVALID_MESSAGE", c.closeReason.get());
        String error = c.ofType("Error").get(0);
        assertEquals("UnknownMessageType", OkClient.field(error, "variant"));
        assertEquals("INVALID_MESSAGE", OkClient.field(error, "code"));
        assertTrue(OkClient.field(error, "description").contains(type), error);
        SessionRecord s = session(c).awaitEnd(5, TimeUnit.SECONDS);
        assertEquals(List.of(type), s.controlMessages(), "the record names what reached the server");
        assertEquals(List.of("UnknownMessageType"), s.errorsSent());
        assertEquals(1008, s.closeCode());
    }

    @Test
    void malformedJsonIsAnUnparsableClientMessage() throws Exception {
        OkClient c = open("");
        c.socket.send("{\"type\":\"ForceEndTurn\"");
        assertEquals(1008, c.closeCode());
        String error = c.ofType("Error").get(0);
        assertEquals("UnparsableClientMessage", OkClient.field(error, "variant"));
        assertEquals("INVALID_MESSAGE", OkClient.field(error, "code"));
        assertEquals(List.of("invalid"), session(c).awaitEnd(5, TimeUnit.SECONDS).controlMessages());
    }

    @Test
    void pingsKeepAnIdleSessionOpenAndWithoutThemItClosesWith1011Net0001() throws Exception {
        OkHttpClient pinging = OkClient.HTTP.newBuilder().pingInterval(300, TimeUnit.MILLISECONDS).build();
        OkClient kept = OkClient.connect(pinging, sim.fluxUrl() + PARAMS + "&sim_ping_timeout=1s").awaitOpen();
        OkClient silent = open("&sim_ping_timeout=1s");
        long start = System.nanoTime();
        assertEquals(1011, silent.closeCode());
        assertEquals("NET-0001", silent.closeReason.get());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms >= 900, "idle close after " + ms + " ms");
        assertEquals(0, session(silent).pings());

        // Three ping timeouts without audio: only the pings keep it open.
        assertThrows(TimeoutException.class, () -> kept.closing.get(3, TimeUnit.SECONDS));
        SessionRecord s = session(kept);
        assertFalse(s.isEnded());
        assertTrue(s.pings() >= 5, "pings: " + s.pings());
        assertEquals(List.of(), s.controlMessages());
        kept.socket.close(1000, null);
        assertEquals(SessionRecord.EndedBy.CLIENT, s.awaitEnd(5, TimeUnit.SECONDS).endedBy());
    }

    @Test
    void configureSucceedsOrFailsOnTheThresholdsAndKeyterms() throws Exception {
        OkClient c = open("");
        c.socket.send("{\"type\":\"Configure\",\"thresholds\":{\"eot_threshold\":0.8,\"eager_eot_threshold\":0.5,\"eot_timeout_ms\":3000},"
                + "\"keyterms\":[\"Deepgram\",\"Flux\"]}");
        c.socket.send("{\"type\":\"Configure\",\"thresholds\":{\"eot_threshold\":0.2}}");
        c.socket.send("{\"type\":\"Configure\",\"thresholds\":{\"eager_eot_threshold\":0.9}}"); // above eot_threshold 0.8
        c.socket.send("{\"type\":\"Configure\",\"thresholds\":{\"eot_timeout_ms\":100}}");
        c.socket.send("{\"type\":\"Configure\",\"keyterms\":[\"ok\",3]}");
        c.socket.send("{\"type\":\"Configure\",\"keyterms\":[]}");
        assertNotNull(c.awaitMessage(m -> c.ofType("ConfigureSuccess").size() + c.ofType("ConfigureFailure").size() == 6, 5000));
        String success = c.ofType("ConfigureSuccess").get(0);
        String requestId = c.opened.get().header("dg-request-id");
        assertEquals("{\"type\":\"ConfigureSuccess\",\"request_id\":\"" + requestId + "\",\"sequence_id\":1}", success);
        List<String> failures = c.ofType("ConfigureFailure");
        assertEquals(4, failures.size());
        assertTrue(OkClient.field(failures.get(0), "description").contains("eot_threshold"), failures.get(0));
        assertTrue(OkClient.field(failures.get(1), "description").contains("eager_eot_threshold"), failures.get(1));
        assertTrue(OkClient.field(failures.get(2), "description").contains("eot_timeout_ms"), failures.get(2));
        assertTrue(OkClient.field(failures.get(3), "description").contains("keyterms"), failures.get(3));
        assertEquals(requestId, OkClient.field(failures.get(0), "request_id"));
        SessionRecord s = session(c);
        assertEquals(List.of("ConfigureSuccess", "ConfigureFailure", "ConfigureFailure", "ConfigureFailure", "ConfigureFailure",
                "ConfigureSuccess"), s.configureAnswers());
        assertEquals(6, s.controlMessages().size());
        assertFalse(s.isEnded());
        c.socket.close(1000, null);
    }

    @Test
    void eotTimeoutShorterThanTheModelsSilenceEndsTheTurnWithTriggerTimeout() throws Exception {
        OkClient c = open("&sim_eot_silence=2s&eot_timeout_ms=500");
        c.stream(0, 10);
        silence(c, 30);
        String eot = c.awaitMessage(m -> m.contains("\"event\":\"EndOfTurn\""), 5000);
        assertNotNull(eot);
        assertEquals("timeout", OkClient.field(eot, "trigger"));
        assertEquals(0.2, num(eot, "audio_window_end"), 1e-9);
        assertEquals(OkClient.chunkWords(0, 10), OkClient.words(eot));
        c.socket.close(1000, null);
    }

    @Test
    void slowFlushAndIgnoredForceEndTurn() throws Exception {
        OkClient slow = open("&sim_fault=slow_flush&sim_flush_delay=1200ms");
        slow.stream(0, 10);
        long start = System.nanoTime();
        slow.socket.send("{\"type\":\"ForceEndTurn\"}");
        assertNotNull(slow.awaitMessage(m -> m.contains("\"trigger\":\"manual\""), 5000));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms >= 1100, "ForceEndTurn answered after " + ms + " ms");
        slow.socket.close(1000, null);

        OkClient ignored = open("&sim_fault=ignore_finalize");
        ignored.stream(0, 10);
        ignored.socket.send("{\"type\":\"ForceEndTurn\"}");
        assertNull(ignored.awaitMessage(m -> m.contains("\"event\":\"EndOfTurn\"") || m.contains("\"Warning\""), 800));
        SessionRecord s = session(ignored);
        assertEquals(List.of("ForceEndTurn"), s.controlMessages());
        ignored.socket.close(1000, null);
        assertEquals(0, s.awaitEnd(5, TimeUnit.SECONDS).endOfTurns());
    }

    @Test
    void timedAndAudioFaultsBehaveAsOnV1() throws Exception {
        OkClient bad = open("&sim_fault=bad_audio");
        bad.stream(0, 1);
        assertEquals(1008, bad.closeCode());
        assertEquals("DATA-0000", bad.closeReason.get());

        OkClient timeout = open("&sim_fault=net0000");
        assertEquals(1011, timeout.closeCode());
        assertEquals("NET-0000", timeout.closeReason.get());

        OkClient closed = open("&sim_fault=close&sim_close_code=1013&sim_close_reason=TRY-AGAIN");
        assertEquals(1013, closed.closeCode());
        assertEquals("TRY-AGAIN", closed.closeReason.get());

        OkClient reset = open("&sim_fault=reset&sim_reset_after_bytes=3200");
        reset.stream(0, 10);
        assertNotNull(reset.failure.get(10, TimeUnit.SECONDS));
        assertFalse(reset.closing.isDone(), "a reset sends no close frame");
        assertEquals(SessionRecord.EndedBy.NETWORK, session(reset).awaitEnd(5, TimeUnit.SECONDS).endedBy());

        OkClient halfOpen = open("&sim_fault=half_open");
        SessionRecord s = session(halfOpen);
        s.faultStruckFuture().get(5, TimeUnit.SECONDS);
        halfOpen.stream(0, 5);
        halfOpen.socket.send("{\"type\":\"ForceEndTurn\"}");
        assertNull(halfOpen.awaitMessage(m -> m.contains("\"event\":\"EndOfTurn\""), 800));
        assertFalse(s.isEnded());
        halfOpen.socket.cancel();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/v2/listen?encoding=linear16&sample_rate=16000|model",
            "/v2/listen?model=nova-3&encoding=linear16&sample_rate=16000|nova-3",
            "/v1/listen?model=flux-general-en&encoding=linear16&sample_rate=16000|flux-general-en",
            "/v2/listen?model=flux-general-en&encoding=linear16|sample_rate",
            "/v2/listen?model=flux-general-en&eot_threshold=0.3|eot_threshold",
            "/v2/listen?model=flux-general-en&eot_threshold=0.6&eager_eot_threshold=0.8|eager_eot_threshold",
            "/v2/listen?model=flux-general-en&eager_eot_threshold=0.95|eager_eot_threshold",
            "/v2/listen?model=flux-general-en&eot_timeout_ms=100|eot_timeout_ms",
            "/v2/listen?model=flux-general-en&eot_timeout_ms=70000|eot_timeout_ms",
            "/v2/listen?model=flux-general-en&language_hint=de|language_hint",
            "/v1/listen?model=nova-3&utterance_end_ms=1000|utterance_end_ms",
            "/v1/listen?model=nova-3&endpointing=fast|endpointing",
            "/v1/listen?model=nova-3&encoding=linear16&sample_rate=16000&multichannel=true|channels",
    })
    void badHandshakesAre400WithDgError(String pathAndExpected) throws Exception {
        String[] parts = pathAndExpected.split("\\|");
        String base = sim.listenUrl().replace("/v1/listen", "");
        OkClient c = OkClient.connect(base + parts[0]);
        Response r = c.failureResponse.get(10, TimeUnit.SECONDS);
        assertEquals(400, r.code());
        assertNotNull(r.header("dg-request-id"));
        assertTrue(r.header("dg-error").contains(parts[1]), r.header("dg-error"));
    }

    @Test
    void authAndFaultRejectionsAsOnV1() throws Exception {
        OkClient anonymous = OkClient.connect(new Request.Builder().url(sim.fluxUrl() + PARAMS).build());
        Response r = anonymous.failureResponse.get(10, TimeUnit.SECONDS);
        assertEquals(401, r.code());
        assertNotNull(r.header("dg-request-id"));

        OkClient limited = OkClient.connect(sim.fluxUrl() + PARAMS + "&sim_fault=reject_429");
        Response tooMany = limited.failureResponse.get(10, TimeUnit.SECONDS);
        assertEquals(429, tooMany.code());
        assertEquals(HandshakeHandler.rejectionMessage(429), tooMany.header("dg-error"));

        OkClient ok = OkClient.connect(sim.fluxUrl() + "?model=flux-general-multi&language_hint=de&eot_threshold=0.9"
                + "&eager_eot_threshold=0.9&eot_timeout_ms=60000").awaitOpen();
        assertNotNull(ok.opened.get().header("dg-request-id"));
        ok.socket.close(1000, null);
    }
}
