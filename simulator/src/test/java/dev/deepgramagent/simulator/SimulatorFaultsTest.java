package dev.deepgramagent.simulator;

import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ProtocolException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every fault, chosen per session, as a real client sees it. */
class SimulatorFaultsTest {

    static final String PARAMS = SimulatorProtocolTest.PARAMS;
    static DeepgramSimulator sim;

    @BeforeAll
    static void start() throws Exception {
        sim = DeepgramSimulator.start(SimulatorOptions.defaults().latency(Duration.ofMillis(200)).faultAfter(Duration.ofMillis(300)));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 402, 403, 429, 500, 503})
    void handshakeRejections(int status) throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS + "&sim_fault=reject_" + status);
        Response r = c.failureResponse.get(10, TimeUnit.SECONDS);
        assertEquals(status, r.code());
        assertNotNull(r.header("dg-request-id"));
        assertEquals(HandshakeHandler.rejectionMessage(status), r.header("dg-error"));
        assertTrue(c.failure.get() instanceof ProtocolException, String.valueOf(c.failure.get()));
    }

    @Test
    void faultCanAlsoBeChosenThroughTheApiKey() throws Exception {
        OkClient c = OkClient.connect(new okhttp3.Request.Builder().url(sim.listenUrl() + PARAMS)
                .header("Authorization", "Token sim_fault:reject_429").build());
        assertEquals(429, c.failureResponse.get(10, TimeUnit.SECONDS).code());
    }

    @Test
    void processingTimeoutClosesWith1011Net0000() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS + "&sim_fault=net0000").awaitOpen();
        c.stream(0, 3);
        assertEquals(1011, c.closeCode());
        assertEquals("NET-0000", c.closeReason.get());
    }

    @Test
    void badAudioFaultClosesWith1008Data0000() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS + "&sim_fault=bad_audio").awaitOpen();
        c.stream(0, 1);
        assertEquals(1008, c.closeCode());
        assertEquals("DATA-0000", c.closeReason.get());
    }

    @Test
    void aContainerHeaderInsideARawStreamIsUndecodable() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        c.stream(0, 5);
        c.sendAudio(TestAudio.wavHeader());
        assertEquals(1008, c.closeCode());
        assertEquals("DATA-0000", c.closeReason.get());
        assertEquals(5, sim.lastSession().audioFrames());
    }

    @Test
    void containerisedAudioWithoutEncodingMayStartWithAHeader() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl()).awaitOpen();
        c.sendAudio(TestAudio.wavHeader());
        c.stream(0, 3);
        c.socket.send("{\"type\":\"Finalize\"}");
        assertNotNull(c.awaitMessage(m -> m.contains("\"from_finalize\":true"), 5000));
        assertFalse(sim.lastSession().isEnded());
        c.socket.close(1000, null);
    }

    @Test
    void resetAfterBytesEndsWithoutACloseFrame() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS + "&sim_fault=reset&sim_reset_after_bytes=6400").awaitOpen();
        c.stream(0, 20);
        Throwable t = c.failure.get(10, TimeUnit.SECONDS);
        assertNotNull(t);
        assertFalse(c.closing.isDone(), "a reset sends no close frame");
        SessionRecord s = sim.lastSession().awaitEnd(5, TimeUnit.SECONDS);
        assertEquals(SessionRecord.EndedBy.NETWORK, s.endedBy());
        assertEquals(1006, s.closeCode());
        assertEquals(6400, s.audioBytes());
    }

    @Test
    void resetAfterTime() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS + "&sim_fault=reset").awaitOpen();
        assertNotNull(c.failure.get(10, TimeUnit.SECONDS));
        assertEquals(SessionRecord.EndedBy.NETWORK, sim.lastSession().awaitEnd(5, TimeUnit.SECONDS).endedBy());
    }

    @Test
    void halfOpenStopsAnsweringWithoutClosing() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS + "&sim_fault=half_open").awaitOpen();
        SessionRecord s = sim.lastSession();
        c.stream(0, 5);
        c.socket.send("{\"type\":\"Finalize\"}");
        assertNotNull(c.awaitMessage(m -> m.contains("\"from_finalize\":true"), 5000), "answers before the fault");
        s.faultStruckFuture().get(5, TimeUnit.SECONDS);
        long framesBefore = s.audioFrames();
        c.stream(5, 5);
        c.socket.send("{\"type\":\"Finalize\"}");
        // Nothing comes back and nothing closes: not even the idle timer fires any more.
        assertNull(c.awaitMessage(m -> m.contains("chunk-9"), 1500));
        assertEquals(framesBefore, s.audioFrames(), "the server stopped reading");
        assertFalse(s.isEnded());
        assertFalse(c.closing.isDone());
        assertFalse(c.failure.isDone());
        c.socket.cancel();
    }

    @Test
    void slowFlushAnswersFinalizeAfterTheDelay() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS + "&sim_fault=slow_flush&sim_flush_delay=1500ms").awaitOpen();
        c.stream(0, 10);
        long start = System.nanoTime();
        c.socket.send("{\"type\":\"Finalize\"}");
        assertNotNull(c.awaitMessage(m -> m.contains("\"from_finalize\":true"), 5000));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms >= 1400, "flush answered after " + ms + " ms");
        c.socket.close(1000, null);
    }

    @Test
    void ignoredFinalizeNeverAnswers() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS + "&sim_fault=ignore_finalize").awaitOpen();
        c.stream(0, 10);
        c.socket.send("{\"type\":\"Finalize\"}");
        assertNull(c.awaitMessage(m -> m.contains("\"from_finalize\":true"), 1000));
        c.socket.send("{\"type\":\"CloseStream\"}");
        assertEquals(1000, c.closeCode());
        assertEquals(OkClient.chunkWords(0, 10), c.finalWords());
    }

    @Test
    void closeFaultUsesTheGivenCodeAndReason() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS + "&sim_fault=close&sim_close_code=1013&sim_close_reason=TRY-AGAIN").awaitOpen();
        assertEquals(1013, c.closeCode());
        assertEquals("TRY-AGAIN", c.closeReason.get());
        SessionRecord s = sim.lastSession().awaitEnd(5, TimeUnit.SECONDS);
        assertEquals(1013, s.closeCode());
        assertEquals(Fault.CLOSE, s.fault());
    }

    @Test
    void unknownFaultIsABadRequest() throws Exception {
        OkClient c = OkClient.connect(sim.listenUrl() + PARAMS + "&sim_fault=meteor");
        Response r = c.failureResponse.get(10, TimeUnit.SECONDS);
        assertEquals(400, r.code());
        assertTrue(r.header("dg-error").contains("meteor"));
    }
}
