package dev.deepgramagent.instrumentation.jdk;

import dev.deepgramagent.core.session.SocketControl;
import org.junit.jupiter.api.Test;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JdkControl's keeping of the JDK's one-outstanding-send rule, against a socket that behaves as
 * the JDK's WebSocketImpl does: a second text or binary send while one is pending fails with
 * IllegalStateException("Send pending"); the flag clears before the send's future completes.
 * Sends complete when the test says so, which the real socket does not let a test control.
 */
class JdkControlTest {

    /** The JDK's send rule, with sends that complete on demand and a record of what reached the wire. */
    static final class RuleKeepingSocket implements WebSocket {
        final AtomicBoolean pending = new AtomicBoolean();
        final List<String> wire = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<WebSocket>> inFlight = new CopyOnWriteArrayList<>();

        private CompletableFuture<WebSocket> send(String frame) {
            if (!pending.compareAndSet(false, true)) {
                return CompletableFuture.failedFuture(new IllegalStateException("Send pending"));
            }
            wire.add(frame);
            CompletableFuture<WebSocket> f = new CompletableFuture<>();
            inFlight.add(f);
            return f;
        }

        /** The oldest send in flight is written: the flag clears, then its future completes. */
        void writeNext() {
            CompletableFuture<WebSocket> f = inFlight.remove(0);
            pending.set(false);
            f.complete(this);
        }

        @Override
        public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
            return send("text " + data);
        }

        @Override
        public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
            return send("binary " + data.remaining());
        }

        @Override
        public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
            wire.add("ping");
            return CompletableFuture.completedFuture(this);
        }

        @Override
        public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
            return CompletableFuture.completedFuture(this);
        }

        @Override
        public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
            wire.add("close " + statusCode);
            return CompletableFuture.completedFuture(this);
        }

        @Override
        public void request(long n) {
        }

        @Override
        public String getSubprotocol() {
            return "";
        }

        @Override
        public boolean isOutputClosed() {
            return false;
        }

        @Override
        public boolean isInputClosed() {
            return false;
        }

        @Override
        public void abort() {
        }

        @Override
        public String toString() {
            return "jdk.internal.net.http.websocket.WebSocketImpl@1[uri=wss://api.deepgram.com/v1/listen?encoding=linear16]";
        }
    }

    private final JdkControl control = new JdkControl();
    private final Object state = control.newState();
    private final RuleKeepingSocket ws = new RuleKeepingSocket();

    private Object appSends(String text) {
        return control.sendIssued(ws, state, ws.sendText(text, true), text, SocketControl.SENT_TEXT, true);
    }

    private Object appSendsAudio(ByteBuffer audio) {
        return control.sendIssued(ws, state, ws.sendBinary(audio, true), audio, SocketControl.SENT_BINARY, true);
    }

    @Test
    void theAgentsWriteWaitsForTheAppsPendingSend() {
        Object audio = appSendsAudio(ByteBuffer.allocate(640));
        assertTrue(control.sendText(ws, state, "{\"type\":\"Finalize\"}"));
        assertEquals(List.of("binary 640"), ws.wire, "not while the app's send is outstanding");
        ws.writeNext();
        assertEquals(List.of("binary 640", "text {\"type\":\"Finalize\"}"), ws.wire);
        assertTrue(((CompletableFuture<?>) audio).isDone());
    }

    @Test
    void anAppSendRefusedBecauseOfTheAgentsWriteGoesOutAfterIt() throws Exception {
        control.sendText(ws, state, "{\"type\":\"KeepAlive\"}");
        ByteBuffer audio = ByteBuffer.allocate(640);
        CompletableFuture<?> answer = (CompletableFuture<?>) appSendsAudio(audio);
        assertFalse(answer.isCompletedExceptionally(), "the app never sees the agent's Send pending");
        ws.writeNext(); // the KeepAlive
        assertEquals(List.of("text {\"type\":\"KeepAlive\"}", "binary 640"), ws.wire);
        ws.writeNext(); // the app's audio
        answer.get(5, TimeUnit.SECONDS);
    }

    @Test
    void theAppsOwnSecondOutstandingSendFailsAsWithoutTheAgent() {
        appSends("{\"type\":\"KeepAlive\"}");
        control.sendText(ws, state, "{\"type\":\"Finalize\"}"); // the agent has written, or waits to
        Object second = appSends("{\"type\":\"CloseStream\"}");
        CompletableFuture<?> f = (CompletableFuture<?>) second;
        assertTrue(f.isCompletedExceptionally(), "the app broke the JDK's rule itself: the JDK's answer stands");
        assertThrows(Exception.class, () -> f.getNow(null));
    }

    @Test
    void theAppsDeferredCloseCompletesWhenTheCloseIsWritten() throws Exception {
        @SuppressWarnings("unchecked")
        CompletableFuture<WebSocket> app = (CompletableFuture<WebSocket>) control.deferredCloseResult(ws, state);
        assertFalse(app.isDone());
        control.close(ws, state, 1000, "bye");
        assertSame(ws, app.get(5, TimeUnit.SECONDS));
        assertEquals(List.of("close 1000"), ws.wire);
    }

    @Test
    void aCloseTheEngineCarriedOutBeforeTheAppGotItsAnswerCompletesItToo() throws Exception {
        control.close(ws, state, 1000, "bye");
        @SuppressWarnings("unchecked")
        CompletableFuture<WebSocket> app = (CompletableFuture<WebSocket>) control.deferredCloseResult(ws, state);
        assertSame(ws, app.get(5, TimeUnit.SECONDS));
    }

    @Test
    void theCloseFollowsTheAgentsQueuedWrites() {
        appSendsAudio(ByteBuffer.allocate(640));
        control.sendText(ws, state, "{\"type\":\"CloseStream\"}");
        control.close(ws, state, 1000, "");
        assertEquals(List.of("binary 640"), ws.wire);
        ws.writeNext();
        ws.writeNext();
        assertEquals(List.of("binary 640", "text {\"type\":\"CloseStream\"}", "close 1000"), ws.wire);
    }

    @Test
    void aSocketDescribesItsUriForAdoption() {
        assertEquals("wss://api.deepgram.com/v1/listen?encoding=linear16", control.describe(ws)[0]);
        assertEquals(null, control.describe(new Object()));
    }
}
