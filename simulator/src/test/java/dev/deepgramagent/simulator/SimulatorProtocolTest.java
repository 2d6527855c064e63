package dev.deepgramagent.simulator;

import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Handshake, results, flushes and the idle timeout, with a real OkHttp client. */
class SimulatorProtocolTest {

    static final String PARAMS = "?encoding=linear16&sample_rate=16000&channels=1&model=nova-3";
    static DeepgramSimulator sim;

    @BeforeAll
    static void start() throws Exception {
        sim = DeepgramSimulator.start(SimulatorOptions.defaults().latency(Duration.ofMillis(300)));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void handshakeCarriesRequestIdAndRecordsQuery() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS + "&interim_results=false");
        Response open = c.opened.get(10, TimeUnit.SECONDS);
        String requestId = open.header("dg-request-id");
        assertNotNull(requestId);
        SessionRecord s = sim.awaitSessions(1, 5, TimeUnit.SECONDS).stream()
                .filter(r -> r.requestId().equals(requestId)).findFirst().orElseThrow();
        assertEquals("/v1/listen", s.path());
        assertEquals("linear16", s.query().get("encoding"));
        assertEquals("nova-3", s.query().get("model"));
        assertEquals("token", s.authScheme());
        c.socket.close(1000, null);
        assertEquals(1000, s.awaitEnd(5, TimeUnit.SECONDS).closeCode());
        assertEquals(SessionRecord.EndedBy.CLIENT, s.endedBy());
    }

    @Test
    void bearerAndSubprotocolAuthAreAccepted() throws Exception {
        OkClient bearer = OkClient.connect(new Request.Builder().url(sim.listenUrl() + PARAMS)
                .header("Authorization", "Bearer jwt-token").build()).awaitOpen();
        OkClient browser = OkClient.connect(new Request.Builder().url(sim.listenUrl() + PARAMS)
                .header("Sec-WebSocket-Protocol", "token, test-key").build());
        Response r = browser.opened.get(10, TimeUnit.SECONDS);
        assertEquals("token", r.header("Sec-WebSocket-Protocol"));
        bearer.socket.close(1000, null);
        browser.socket.close(1000, null);
    }

    @Test
    void missingCredentialsAndBadParametersAreRejectedWithStatusAndHeaders() throws Exception {
        OkClient anonymous = OkClient.connect(new Request.Builder().url(sim.listenUrl() + PARAMS).build());
        Response r = anonymous.failureResponse.get(10, TimeUnit.SECONDS);
        assertEquals(401, r.code());
        assertNotNull(r.header("dg-request-id"));
        assertEquals("Invalid credentials.", r.header("dg-error"));

        OkClient noRate = OkClient.connect(sim.listenUrl() + "?encoding=linear16");
        Response bad = noRate.failureResponse.get(10, TimeUnit.SECONDS);
        assertEquals(400, bad.code());
        assertTrue(bad.header("dg-error").contains("sample_rate"), bad.header("dg-error"));

        OkClient wrongPath = OkClient.connect(sim.listenUrl().replace("/v1/listen", "/v1/nothing"));
        assertEquals(404, wrongPath.failureResponse.get(10, TimeUnit.SECONDS).code());
    }

    @Test
    void finalResultsNameTheChunksTheyCoverAndArriveAfterTheLatency() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        long sent = System.nanoTime();
        c.stream(0, 50); // exactly one 1 s segment
        String first = c.awaitMessage(m -> m.contains("\"is_final\":true"), 5000);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        assertNotNull(first);
        assertTrue(elapsedMs >= 300, "results must wait for the processing latency, came after " + elapsedMs + " ms");
        assertEquals(OkClient.chunkWords(0, 50), OkClient.words(first));
        assertEquals(0.0, OkClient.number(first, "start"), 1e-9);
        assertEquals(1.0, OkClient.number(first, "duration"), 1e-9);
        assertTrue(first.contains("\"from_finalize\":false"));
        assertTrue(first.contains("\"request_id\":\"" + c.opened.get().header("dg-request-id") + "\""));
        c.socket.close(1000, null);
    }

    @Test
    void closingRightAfterTheLastAudioLosesTheTail() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        c.stream(0, 75); // 1.5 s: one full segment in processing, half a segment pending
        c.socket.close(1000, "Client disconnecting");
        SessionRecord s = sim.lastSession().awaitEnd(5, TimeUnit.SECONDS);
        assertEquals(75, s.audioFrames());
        assertEquals(1.5, s.audioSeconds(), 1e-9);
        assertEquals(List.of(), s.finalWords(), "results still in processing are dropped by a client close");
        assertEquals(1.5, s.droppedSeconds(), 1e-9);
        assertEquals(1000, s.closeCode());
        assertEquals("Client disconnecting", s.closeReason());
    }

    @Test
    void finalizeFlushesEverythingAndKeepsTheConnectionOpen() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        c.stream(0, 60);
        c.socket.send("{\"type\":\"Finalize\"}");
        String flushed = c.awaitMessage(m -> m.contains("\"from_finalize\":true"), 5000);
        assertNotNull(flushed);
        assertEquals(OkClient.chunkWords(50, 10), OkClient.words(flushed));
        assertEquals(OkClient.chunkWords(0, 60), c.finalWords());
        // still open: more audio and a second flush work
        c.stream(60, 5);
        c.socket.send("{\"type\":\"Finalize\",\"channel\":0}");
        assertNotNull(c.awaitMessage(m -> m.contains("chunk-64") && m.contains("\"from_finalize\":true"), 5000));
        SessionRecord s = sim.lastSession();
        assertEquals(List.of("Finalize", "Finalize"), s.controlMessages());
        assertEquals(0.3, s.flushedSeconds(), 1e-9);
        assertFalse(s.isEnded());
        c.socket.close(1000, null);
        assertEquals(0.0, s.awaitEnd(5, TimeUnit.SECONDS).droppedSeconds(), 1e-9);
    }

    @Test
    void closeStreamFlushesSendsMetadataAndClosesWith1000() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        c.stream(0, 30);
        c.socket.send("{\"type\":\"CloseStream\"}");
        assertEquals(1000, c.closeCode());
        assertEquals(OkClient.chunkWords(0, 30), c.finalWords());
        List<String> metadata = c.ofType("Metadata");
        assertEquals(1, metadata.size());
        assertEquals(0.6, OkClient.number(metadata.get(0), "duration"), 1e-9);
        assertTrue(metadata.get(0).matches(".*\"sha256\":\"[0-9a-f]{64}\".*"));
        SessionRecord s = sim.lastSession().awaitEnd(5, TimeUnit.SECONDS);
        assertTrue(s.metadataSent());
        assertEquals(SessionRecord.EndedBy.SERVER, s.endedBy());
        assertEquals(0.0, s.droppedSeconds(), 1e-9);
    }

    @Test
    void legacyEmptyBinaryFrameClosesTheStream() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        c.stream(0, 10);
        c.sendAudio(new byte[0]);
        assertEquals(1000, c.closeCode());
        assertEquals(OkClient.chunkWords(0, 10), c.finalWords());
        assertEquals(List.of("legacy_close"), sim.lastSession().controlMessages());
    }

    @Test
    void idleTimeoutClosesWith1011Net0001AndKeepAliveResetsIt() throws Exception {
        OkClient idle = OkClient.connect(sim.listenUrl() + PARAMS + "&sim_idle_timeout=600ms").awaitOpen();
        long start = System.nanoTime();
        idle.stream(0, 5);
        assertEquals(1011, idle.closeCode());
        assertEquals("NET-0001", idle.closeReason.get());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms >= 550 && ms < 5000, "idle close after " + ms + " ms");

        OkClient kept = OkClient.connect(sim.listenUrl() + PARAMS + "&sim_idle_timeout=600ms").awaitOpen();
        SessionRecord s = sim.lastSession();
        // Six KeepAlives 300 ms apart span 1.8 s, three idle windows: only KeepAlive keeps it open.
        java.util.concurrent.CountDownLatch sent = new java.util.concurrent.CountDownLatch(6);
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            timer.scheduleAtFixedRate(() -> {
                if (sent.getCount() > 0) {
                    kept.socket.send("{\"type\":\"KeepAlive\"}");
                    sent.countDown();
                }
            }, 0, 300, TimeUnit.MILLISECONDS);
            assertTrue(sent.await(10, TimeUnit.SECONDS));
        } finally {
            timer.shutdownNow();
        }
        assertFalse(s.isEnded(), "KeepAlive must reset the idle timer");
        assertEquals(1011, kept.closeCode()); // and without them the window closes it
        assertEquals(6, s.controlMessages().size());
        assertTrue(kept.ofType("Results").isEmpty(), "KeepAlive produces no response");
    }

    @Test
    void interimResultsSpeechStartedAndUtteranceEnd() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS + "&interim_results=true&vad_events=true&utterance_end_ms=200").awaitOpen();
        c.stream(0, 30);                 // 0.6 s of speech: one interim, no final yet
        for (int i = 0; i < 15; i++) {
            c.sendAudio(TestAudio.silence()); // 0.3 s of silence: endpoint + utterance end
        }
        assertNotNull(c.awaitMessage(m -> m.contains("\"type\":\"UtteranceEnd\""), 5000));
        List<String> speech = c.ofType("SpeechStarted");
        assertEquals(1, speech.size());
        assertEquals(0.0, OkClient.number(speech.get(0), "timestamp"), 1e-9);
        assertTrue(c.ofType("Results").stream().anyMatch(m -> m.contains("\"is_final\":false")), "an interim result");
        String fin = c.awaitMessage(m -> m.contains("\"is_final\":true"), 1000);
        assertTrue(fin.contains("\"speech_final\":true"), fin);
        assertEquals(OkClient.chunkWords(0, 30), c.finalWords());
        assertEquals(0.6, OkClient.number(c.ofType("UtteranceEnd").get(0), "last_word_end"), 1e-9);
        c.socket.close(1000, null);
    }

    @Test
    void audioDurationFollowsEncodingRateAndChannels() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + "?encoding=mulaw&sample_rate=8000&channels=2").awaitOpen();
        c.sendAudio(TestAudio.chunk(0, 1600)); // 1600 bytes / (1 byte x 8000 Hz x 2 channels) = 0.1 s
        c.socket.send("{\"type\":\"Finalize\"}");
        String r = c.awaitMessage(m -> m.contains("\"from_finalize\":true"), 5000);
        assertEquals(0.1, OkClient.number(r, "duration"), 1e-9);
        c.socket.close(1000, null);
    }

    @Test
    void configureOnNova3IsAnsweredOnceInOrderWithTheResults() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        String requestId = c.opened.get().header("dg-request-id");
        c.stream(0, 50); // one final result in processing
        c.socket.send("{\"type\":\"Configure\",\"keyterms\":[\"Deepgram\",\"Nova\"],\"features\":{\"smart_format\":true}}");
        String ok = c.awaitType("ConfigureSuccess", 5000);
        assertEquals("{\"type\":\"ConfigureSuccess\",\"request_id\":\"" + requestId + "\"}", ok);
        assertTrue(c.messages.indexOf(c.ofType("Results").get(0)) < c.messages.indexOf(ok), "answered in order with results");

        c.socket.send("{\"type\":\"Configure\",\"keyterms\":\"Deepgram\"}");
        String failure = c.awaitType("ConfigureFailure", 5000);
        assertEquals(requestId, OkClient.field(failure, "request_id"));
        assertTrue(OkClient.field(failure, "description").contains("keyterms"), failure);

        c.stream(50, 5); // the stream goes on
        c.socket.send("{\"type\":\"Finalize\"}");
        assertNotNull(c.awaitMessage(m -> m.contains("chunk-54") && m.contains("\"from_finalize\":true"), 5000));
        SessionRecord s = sim.lastSession();
        assertEquals(List.of("ConfigureSuccess", "ConfigureFailure"), s.configureAnswers());
        assertEquals(List.of("Configure", "Configure", "Finalize"), s.controlMessages());
        assertEquals(List.of(), s.errorsSent());
        assertTrue(c.ofType("Error").isEmpty());
        c.socket.close(1000, null);
    }

    @Test
    void keytermsOnAModelWithoutThemGetAnErrorThenConfigureFailureAndTheStreamGoesOn() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + "?encoding=linear16&sample_rate=16000&model=nova-2").awaitOpen();
        c.stream(0, 10);
        c.socket.send("{\"type\":\"Configure\",\"keyterms\":[\"Deepgram\"]}");
        String failure = c.awaitType("ConfigureFailure", 5000);
        assertNotNull(failure);
        String error = c.ofType("Error").get(0);
        assertTrue(error.startsWith("{\"type\":\"Error\",\"variant\":\"InvalidConfigureMessage\",\"description\":\""), error);
        assertTrue(error.endsWith(",\"code\":\"UNSUPPORTED_FEATURE\"}"), error);
        assertTrue(c.messages.indexOf(error) < c.messages.indexOf(failure), "the Error comes first");

        c.stream(10, 5);
        c.socket.send("{\"type\":\"Finalize\"}");
        assertNotNull(c.awaitMessage(m -> m.contains("chunk-14") && m.contains("\"from_finalize\":true"), 5000));
        assertEquals(1, c.ofType("ConfigureFailure").size() + c.ofType("ConfigureSuccess").size(), "exactly one answer");
        SessionRecord s = sim.lastSession();
        assertEquals(List.of("InvalidConfigureMessage"), s.errorsSent());
        assertEquals(List.of("ConfigureFailure"), s.configureAnswers());
        assertFalse(s.isEnded());
        c.socket.close(1000, null);
        assertEquals(OkClient.chunkWords(0, 15), s.awaitEnd(5, TimeUnit.SECONDS).finalWords());
    }

    @Test
    void malformedAndUnknownMessagesGetAnErrorWithVariantAndCodeThenClose1008() throws Exception {
        OkClient malformed = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        SessionRecord m = sim.lastSession();
        malformed.socket.send("{\"type\":\"KeepAlive\"");
        assertEquals(1008, malformed.closeCode());
        assertEquals("INVALID_MESSAGE", malformed.closeReason.get());
        String error = malformed.ofType("Error").get(0);
        assertTrue(error.startsWith("{\"type\":\"Error\",\"variant\":\"UnparsableClientMessage\",\"description\":\""), error);
        assertTrue(error.endsWith(",\"code\":\"INVALID_MESSAGE\"}"), error);
        assertEquals(List.of("invalid"), m.awaitEnd(5, TimeUnit.SECONDS).controlMessages());
        assertEquals(List.of("UnparsableClientMessage"), m.errorsSent());

        OkClient flux = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        SessionRecord f = sim.lastSession();
        flux.socket.send("{\"type\":\"ForceEndTurn\"}"); // a /v2/listen message
        assertEquals(1008, flux.closeCode());
        String unknown = flux.ofType("Error").get(0);
        assertEquals("UnknownMessageType", OkClient.field(unknown, "variant"));
        assertEquals("INVALID_MESSAGE", OkClient.field(unknown, "code"));
        assertEquals(List.of("ForceEndTurn"), f.awaitEnd(5, TimeUnit.SECONDS).controlMessages());
        assertEquals(List.of("UnknownMessageType"), f.errorsSent());
    }
}
