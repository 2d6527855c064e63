package dev.deepgramagent.simulator;

import okio.ByteString;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Concurrent sessions streaming 16 kHz linear16 in 20 ms chunks at real time: every frame and every
 * result arrives. CI runs a modest count; the benchmark module runs 500.
 */
class ConcurrencyTest {

    static final int SESSIONS = Integer.getInteger("sim.concurrency.sessions", 60);
    static final int CHUNKS = 100; // 2 s of audio each

    @Test
    void concurrentRealTimeSessionsLoseNothing() throws Exception {
        try (DeepgramSimulator sim = DeepgramSimulator.start(SimulatorOptions.defaults().latency(Duration.ofMillis(200)))) {
            List<OkClient> clients = new ArrayList<>();
            for (int i = 0; i < SESSIONS; i++) {
                clients.add(OkClient.connect(sim.listenUrl() + SimulatorProtocolTest.PARAMS));
            }
            for (OkClient c : clients) {
                c.awaitOpen();
            }
            ScheduledExecutorService pacer = Executors.newScheduledThreadPool(2);
            AtomicInteger next = new AtomicInteger();
            ScheduledFuture<?> tick = pacer.scheduleAtFixedRate(() -> {
                int seq = next.getAndIncrement();
                if (seq >= CHUNKS) {
                    return;
                }
                ByteString chunk = ByteString.of(TestAudio.chunk(seq));
                for (OkClient c : clients) {
                    c.socket.send(chunk);
                }
                if (seq == CHUNKS - 1) {
                    for (OkClient c : clients) {
                        c.socket.send("{\"type\":\"CloseStream\"}");
                    }
                }
            }, 0, 20, TimeUnit.MILLISECONDS);
            try {
                for (OkClient c : clients) {
                    assertEquals(1000, c.closeCode());
                }
            } finally {
                tick.cancel(false);
                pacer.shutdownNow();
            }
            List<String> expected = OkClient.chunkWords(0, CHUNKS);
            for (OkClient c : clients) {
                assertEquals(expected, c.finalWords());
                assertEquals(1, c.ofType("Metadata").size());
            }
            for (SessionRecord s : sim.sessions()) {
                assertEquals(CHUNKS, s.audioFrames());
                assertEquals(0.0, s.awaitEnd(5, TimeUnit.SECONDS).droppedSeconds(), 1e-9);
            }
        }
    }
}
