package dev.deepgramagent.instrumentation.jdk;

import dev.deepgramagent.core.session.AgentWrites;
import dev.deepgramagent.core.session.SocketControl;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Writes to a {@code java.net.http.WebSocket} through its public API, within the JDK's rule of one
 * outstanding text or binary send (and one ping or pong) per socket. The agent's writes wait for
 * the app's pending send; an app send that the JDK refused because an agent write held the socket
 * is sent again after it, and the app gets that send's future instead of a failure. The agent's
 * writes run one after the other in a chain; the deferred close of the app follows the chain.
 * Futures handed to the app complete on another thread than the agent's, so that the app's
 * continuations never run as the agent's writes or on the agent's scheduler.
 */
final class JdkControl implements SocketControl {

    /** Retries of a write that lost the JDK's pending flag to an app send not yet reported to the agent. */
    private static final int RETRIES = 200;
    private static final long RETRY_MILLIS = 1;

    /** {@link State#appSend}, written with a release store on the audio path. */
    private static final java.lang.invoke.VarHandle APP_SEND;

    static {
        try {
            APP_SEND = java.lang.invoke.MethodHandles.lookup().findVarHandle(State.class, "appSend", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Per socket. */
    static final class State {
        /**
         * The app's last text or binary send, as the JDK (or the agent, for a replayed send) answered it.
         * Written on every audio send with a release store ({@link #APP_SEND}), not a volatile one: the
         * full fence cost the send path about 5 ns. An agent write that reads the previous, finished
         * future a moment too early is refused by the JDK as pending and retried, as it is when the app
         * sends right after the read.
         */
        volatile CompletableFuture<?> appSend;
        /** The last of the agent's writes, replays of the app's sends included; they run in this order. */
        private CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
        private boolean written;
        /** What the app's deferred close returned; completed when the close is written. */
        private CompletableFuture<WebSocket> appClose;
        /** The agent's sendClose, once performed. */
        private CompletableFuture<WebSocket> closeSent;

        /** Appends a write to the chain, after the app's pending send too when {@code afterApp}. */
        synchronized CompletableFuture<WebSocket> enqueue(boolean afterApp, Supplier<CompletableFuture<WebSocket>> write) {
            CompletableFuture<?> app = appSend;
            CompletableFuture<?> before = afterApp && app != null && !app.isDone()
                    ? CompletableFuture.allOf(chain, app) : chain;
            CompletableFuture<WebSocket> mine = before.handle((r, e) -> null).thenCompose(ignored -> write.get());
            chain = mine;
            written = true;
            return mine;
        }

        synchronized boolean agentHasWritten() {
            return written;
        }
    }

    /**
     * Adoption: the socket's URI, from {@code WebSocketImpl.toString()} ("...[uri=ws://...]"), the
     * one public place it shows; the agent's module cannot read the JDK's internal fields. The
     * request's headers are not kept by the JDK: no session id.
     */
    @Override
    public String[] describe(Object socket) {
        if (!(socket instanceof WebSocket)) {
            return null;
        }
        String text = socket.toString();
        int from = text.indexOf("[uri=");
        if (from < 0 || !text.endsWith("]")) {
            return null;
        }
        String uri = text.substring(from + 5, text.length() - 1);
        int subprotocol = uri.lastIndexOf(", subprotocol=");
        return new String[] {subprotocol < 0 ? uri : uri.substring(0, subprotocol), null};
    }

    @Override
    public Object newState() {
        return new State();
    }

    @Override
    public boolean replaysAppSends() {
        return true;
    }

    @Override
    public boolean pingsOnItsOwn() {
        return false; // the JDK client has no ping interval
    }

    @Override
    public boolean timesOutCloseOnItsOwn() {
        return false; // the JDK waits for the server's close forever
    }

    @Override
    public byte[] audioHead(Object payload, int max) {
        ByteBuffer b = ((ByteBuffer) payload).duplicate(); // never moves the app's position
        byte[] head = new byte[Math.min(max, b.remaining())];
        b.get(head);
        return head;
    }

    @Override
    public boolean sendText(Object socket, Object state, String text) {
        if (!(socket instanceof WebSocket)) {
            return false; // the handshake has not yet produced the WebSocket
        }
        WebSocket ws = (WebSocket) socket;
        if (ws.isOutputClosed()) {
            return false;
        }
        State st = (State) state;
        st.enqueue(true, () -> send(st, () -> ws.sendText(text, true), RETRIES));
        return true;
    }

    @Override
    public boolean close(Object socket, Object state, int code, String reason) {
        if (!(socket instanceof WebSocket)) {
            return false;
        }
        WebSocket ws = (WebSocket) socket;
        State st = (State) state;
        CompletableFuture<WebSocket> app;
        CompletableFuture<WebSocket> closed;
        synchronized (st) {
            // sendClose is not bound by the pending flag; it only has to follow the agent's own writes.
            closed = st.enqueue(false, () -> asAgent(() -> ws.sendClose(code, reason == null ? "" : reason)));
            st.closeSent = closed;
            app = st.appClose;
            st.appClose = null;
        }
        if (app != null) {
            handOver(closed, app);
        }
        return true;
    }

    @Override
    public boolean sendPing(Object socket, Object state) {
        if (!(socket instanceof WebSocket)) {
            return false;
        }
        ((WebSocket) socket).sendPing(ByteBuffer.allocate(0));
        return true;
    }

    @Override
    public void abort(Object socket, Object state) {
        if (socket instanceof WebSocket) {
            ((WebSocket) socket).abort();
        }
    }

    @Override
    public Object deferredCloseResult(Object socket, Object state) {
        State st = (State) state;
        CompletableFuture<WebSocket> app = new CompletableFuture<>();
        CompletableFuture<WebSocket> closed;
        synchronized (st) {
            closed = st.closeSent;
            if (closed == null) {
                if (st.appClose != null) {
                    return st.appClose; // the app's second close while the first is deferred: the same future
                }
                st.appClose = app; // completed by close() when the engine performs it
            }
        }
        if (closed != null) {
            handOver(closed, app); // the engine performed the close before the app got its answer
        }
        return app;
    }

    /** Every kind of the app's send: its answer is recorded, and a send refused because of the agent is replayed. */
    @Override
    public Object sendIssued(Object socket, Object state, Object result, Object message, int kind, boolean last) {
        State st = (State) state;
        CompletableFuture<?> answered = (CompletableFuture<?>) result;
        if (answered.isCompletedExceptionally() && refusedAsPending(answered) && socket instanceof WebSocket) {
            CompletableFuture<?> previous = st.appSend;
            // A ping or pong is refused only for an agent ping (the app's own would be its own mistake, as
            // two texts are); a text or binary when the app had waited for its own previous send.
            boolean agents = kind >= SENT_PING || ((previous == null || previous.isDone()) && st.agentHasWritten());
            if (agents) {
                WebSocket ws = (WebSocket) socket;
                Supplier<CompletableFuture<WebSocket>> again;
                switch (kind) {
                    case SENT_BINARY: again = () -> ws.sendBinary((ByteBuffer) message, last); break;
                    case SENT_PING: again = () -> ws.sendPing((ByteBuffer) message); break;
                    case SENT_PONG: again = () -> ws.sendPong((ByteBuffer) message); break;
                    default: again = () -> ws.sendText((CharSequence) message, last); break;
                }
                CompletableFuture<WebSocket> replay = st.enqueue(false, () -> send(st, again, RETRIES));
                CompletableFuture<WebSocket> forApp = new CompletableFuture<>();
                handOver(replay, forApp);
                if (kind < SENT_PING) {
                    st.appSend = forApp;
                }
                return forApp;
            }
        }
        if (kind < SENT_PING) {
            APP_SEND.setRelease(st, answered);
        }
        return result;
    }

    /**
     * One write of the agent's. When the JDK refuses it because a send of the app's holds the flag,
     * it goes after that send (once the app's advice has reported it), else it is tried again shortly.
     */
    private static CompletableFuture<WebSocket> send(State st, Supplier<CompletableFuture<WebSocket>> write, int retriesLeft) {
        CompletableFuture<WebSocket> attempt = asAgent(write);
        if (!attempt.isCompletedExceptionally() || !refusedAsPending(attempt)) {
            return attempt;
        }
        CompletableFuture<?> app = st.appSend;
        if (app != null && !app.isDone()) {
            return app.handle((r, e) -> null).thenCompose(ignored -> send(st, write, retriesLeft));
        }
        if (retriesLeft <= 0) {
            return attempt;
        }
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(RETRY_MILLIS, TimeUnit.MILLISECONDS))
                .thenCompose(ignored -> send(st, write, retriesLeft - 1));
    }

    private static CompletableFuture<WebSocket> asAgent(Supplier<CompletableFuture<WebSocket>> write) {
        try {
            return AgentWrites.run(write::get);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Completes the app's future from {@code source}, on another thread: the app's continuations
     * must not run inside the agent's write (where its sends would pass as the agent's) or on the
     * agent's scheduler.
     */
    private static void handOver(CompletableFuture<WebSocket> source, CompletableFuture<WebSocket> app) {
        source.whenCompleteAsync((r, e) -> {
            if (e != null) {
                app.completeExceptionally(unwrap(e));
            } else {
                app.complete(r);
            }
        });
    }

    /** The JDK's answer to a second outstanding send: a future failed with IllegalStateException("Send pending"). */
    static boolean refusedAsPending(CompletableFuture<?> f) {
        try {
            f.getNow(null);
            return false;
        } catch (CompletionException e) {
            return e.getCause() instanceof IllegalStateException && "Send pending".equals(e.getCause().getMessage());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
