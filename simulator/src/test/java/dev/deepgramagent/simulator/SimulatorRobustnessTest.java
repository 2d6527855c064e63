package dev.deepgramagent.simulator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input ends only the session that sent it; a bystander session streams on untouched. */
class SimulatorRobustnessTest {

    static final String PARAMS = SimulatorProtocolTest.PARAMS;
    static DeepgramSimulator sim;

    @BeforeAll
    static void start() throws Exception {
        sim = DeepgramSimulator.start(SimulatorOptions.defaults().latency(Duration.ofMillis(100)).maxFrameBytes(16 * 1024));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void badClientsEndOnlyTheirOwnSession() throws Exception {
        OkClient bystander = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        bystander.stream(0, 10);

        OkClient malformed = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        malformed.socket.send("{\"type\":\"KeepAlive\""); // truncated JSON
        assertEquals(1008, malformed.closeCode());
        assertTrue(malformed.ofType("Error").get(0).contains("INVALID_MESSAGE"));

        OkClient unknown = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        unknown.socket.send("{\"type\":\"Transcribe faster\"}");
        assertEquals(1008, unknown.closeCode());

        OkClient oversized = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        oversized.sendAudio(TestAudio.chunk(0, 64 * 1024));
        assertEquals(1009, oversized.closeCode());

        OkClient garbage = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        byte[] noise = new byte[1000];
        new java.util.Random(7).nextBytes(noise);
        noise[0] = 1; // not a container header: raw linear16 accepts any sample values
        garbage.sendAudio(noise);
        garbage.socket.send("{\"type\":\"Finalize\"}");
        assertNotNull(garbage.awaitMessage(m -> m.contains("\"from_finalize\":true"), 5000));

        OkClient vanished = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        vanished.stream(0, 5);
        SessionRecord vanishedRecord = sim.lastSession();
        vanished.socket.cancel(); // drops the TCP connection mid-stream, no close frame
        assertEquals(SessionRecord.EndedBy.NETWORK, vanishedRecord.awaitEnd(5, TimeUnit.SECONDS).endedBy());

        // Raw bytes that are not HTTP at all.
        try (Socket raw = new Socket(sim.host(), sim.port())) {
            OutputStream out = raw.getOutputStream();
            out.write("\u0000\u0001garbage\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        bystander.stream(10, 10);
        bystander.socket.send("{\"type\":\"CloseStream\"}");
        assertEquals(1000, bystander.closeCode());
        assertEquals(OkClient.chunkWords(0, 20), bystander.finalWords());
        List<SessionRecord> all = sim.sessions();
        assertEquals(0.0, all.get(0).awaitEnd(5, TimeUnit.SECONDS).droppedSeconds(), 1e-9);

        // And the server still accepts new sessions.
        OkClient after = OkClient.connect(sim.listenUrl() + PARAMS).awaitOpen();
        after.socket.close(1000, null);
    }
}
