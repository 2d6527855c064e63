package dev.deepgramagent.simulator;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** {@link DeepgramSimulator#endOpenSessions()}: an outage ends every open session at once, and only those. */
class SimulatorOutageTest {

    @Test
    void halfCloseWith1011AndHalfAreResetEchoSocketsStay() throws Exception {
        try (DeepgramSimulator sim = DeepgramSimulator.start(SimulatorOptions.defaults())) {
            List<OkClient> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                clients.add(OkClient.connect(sim.listenUrl() + SimulatorProtocolTest.PARAMS).awaitOpen());
            }
            OkClient echo = OkClient.connect(sim.echoUrl()).awaitOpen();
            // The echo socket is recorded too: only the four listen sessions are the outage's.
            List<SessionRecord> records = sim.awaitSessions(5, 10, TimeUnit.SECONDS).stream()
                    .filter(r -> r.path().equals("/v1/listen")).collect(java.util.stream.Collectors.toList());
            assertEquals(4, records.size());

            assertArrayEquals(new int[] {2, 2}, sim.endOpenSessions());

            int closed = 0;
            int reset = 0;
            for (SessionRecord r : records) {
                r.awaitEnd(10, TimeUnit.SECONDS);
                if (r.endedBy() == SessionRecord.EndedBy.SERVER) {
                    assertEquals(1011, r.closeCode());
                    assertEquals(DeepgramSimulator.OUTAGE_REASON, r.closeReason());
                    closed++;
                } else {
                    assertEquals(SessionRecord.EndedBy.NETWORK, r.endedBy());
                    reset++;
                }
            }
            assertEquals(2, closed);
            assertEquals(2, reset);
            int closeFrames = 0;
            for (OkClient c : clients) {
                // Each client sees either the close frame or, reset, a failure without one.
                java.util.concurrent.CompletableFuture.anyOf(c.closing, c.failure).get(10, TimeUnit.SECONDS);
                if (c.closing.isDone()) {
                    closeFrames++;
                }
            }
            assertEquals(2, closeFrames, "the 1011 closes reached their clients");
            echo.socket.send("still here");
            assertNotNull(echo.awaitMessage("still here"::equals, 5000), "the echo socket is not part of the outage");
            assertArrayEquals(new int[] {0, 0}, sim.endOpenSessions(), "nothing left to end");
        }
    }
}
