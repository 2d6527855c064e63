package dev.deepgramagent.simulator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JDK's java.net.http.WebSocket against the simulator. */
class JdkClientTest {

    static DeepgramSimulator sim;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        sim = DeepgramSimulator.start(SimulatorOptions.defaults().latency(Duration.ofMillis(200)));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    static final class Listener implements WebSocket.Listener {
        final List<String> messages = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }
    }

    @Test
    void streamsAndCloseStreamWithTheJdkClient() throws Exception {
        Listener listener = new Listener();
        WebSocket ws = HTTP.newWebSocketBuilder().header("Authorization", "Token k")
                .buildAsync(URI.create(sim.listenUrl() + SimulatorProtocolTest.PARAMS), listener).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 60; i++) {
            ws.sendBinary(ByteBuffer.wrap(TestAudio.chunk(i)), true).get(5, TimeUnit.SECONDS);
        }
        ws.sendText("{\"type\":\"CloseStream\"}", true).get(5, TimeUnit.SECONDS);
        assertEquals(1000, listener.closed.get(10, TimeUnit.SECONDS));
        List<String> words = new java.util.ArrayList<>();
        for (String m : listener.messages) {
            if (m.contains("\"is_final\":true")) {
                words.addAll(OkClient.words(m));
            }
        }
        assertEquals(OkClient.chunkWords(0, 60), words);
        assertTrue(listener.messages.get(listener.messages.size() - 1).contains("\"type\":\"Metadata\""));
    }

    @Test
    void subprotocolAuthAndRejectionWithTheJdkClient() throws Exception {
        Listener listener = new Listener();
        WebSocket ws = HTTP.newWebSocketBuilder().subprotocols("token", "test-key")
                .buildAsync(URI.create(sim.listenUrl()), listener).get(10, TimeUnit.SECONDS);
        assertEquals("token", ws.getSubprotocol());
        ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);

        ExecutionException e = assertThrows(ExecutionException.class, () -> HTTP.newWebSocketBuilder()
                .header("Authorization", "Token k")
                .buildAsync(URI.create(sim.listenUrl() + "?sim_fault=reject_403"), new Listener()).get(10, TimeUnit.SECONDS));
        WebSocketHandshakeException h = (WebSocketHandshakeException) e.getCause();
        assertEquals(403, h.getResponse().statusCode());
        assertTrue(h.getResponse().headers().firstValue("dg-error").isPresent());
    }

    @Test
    void fluxForceEndTurnThenCloseStreamWithTheJdkClient() throws Exception {
        Listener listener = new Listener();
        WebSocket ws = HTTP.newWebSocketBuilder().header("Authorization", "Token k")
                .buildAsync(URI.create(sim.fluxUrl() + FluxProtocolTest.PARAMS), listener).get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 30; i++) {
            ws.sendBinary(ByteBuffer.wrap(TestAudio.chunk(i)), true).get(5, TimeUnit.SECONDS);
        }
        ws.sendText("{\"type\":\"ForceEndTurn\"}", true).get(5, TimeUnit.SECONDS);
        ws.sendText("{\"type\":\"CloseStream\"}", true).get(5, TimeUnit.SECONDS);
        assertEquals(1005, listener.closed.get(10, TimeUnit.SECONDS), "Flux closes without a status code");
        List<String> endOfTurns = new java.util.ArrayList<>();
        for (String m : listener.messages) {
            if (m.contains("\"event\":\"EndOfTurn\"")) {
                endOfTurns.add(m);
            }
        }
        assertEquals(1, endOfTurns.size());
        assertTrue(endOfTurns.get(0).contains("\"trigger\":\"manual\""));
        assertEquals(OkClient.chunkWords(0, 30), OkClient.words(endOfTurns.get(0)));
        assertTrue(listener.messages.get(0).startsWith("{\"type\":\"Connected\""));
        SessionRecord s = sim.lastSession().awaitEnd(5, TimeUnit.SECONDS);
        assertEquals(1005, s.closeCode());
        assertEquals(List.of("ForceEndTurn", "CloseStream"), s.controlMessages());
        assertEquals(OkClient.chunkWords(0, 30), s.finalWords());
        assertEquals(0.0, s.droppedSeconds(), 1e-9);
    }
}
