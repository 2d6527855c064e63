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
 * outstanding text or binary send per socket. The agent's writes wait for the app's pending send;
 * an app send that the JDK refused because an agent write held the socket is sent again after it,
 * and the app gets that send's future instead of a failure. The agent's writes run one after the
 * other in a chain; the deferred close of the app follows the chain.
 */
final class JdkControl implements SocketControl {

    /** A write that lost the JDK's pending flag to a send the app has not yet reported is tried again. */
    private static final int RETRIES = 200;
    private static final long RETRY_MILLIS = 1;

    /** Per socket. */
    static final class State {
        /** The app's last text or binary send, as the JDK (or the agent, for a replayed send) answered it. */
        volatile CompletableFuture<?> appSend;
        /** The last of the agent's writes, replays of the app's sends included; they run in this order. */
        private CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
        /** What the app's deferred close returned; completed when the close is written. */
        private CompletableFuture<WebSocket> appClose;

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

        private boolean written;

        synchronized boolean agentHasWritten() {
            return written;
        }
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
        WebSocket ws = (WebSocket) socket;
        if (ws.isOutputClosed()) {
            return false;
        }
        ((State) state).enqueue(true, () -> send(() -> ws.sendText(text, true), RETRIES));
        return true;
    }

    @Override
    public boolean close(Object socket, Object state, int code, String reason) {
        WebSocket ws = (WebSocket) socket;
        State st = (State) state;
        CompletableFuture<WebSocket> app;
        synchronized (st) {
            app = st.appClose;
            st.appClose = null;
        }
        // sendClose is not bound by the pending flag; it only has to follow the agent's own writes.
        CompletableFuture<WebSocket> closed = st.enqueue(false, () -> asAgent(() -> ws.sendClose(code, reason == null ? "" : reason)));
        if (app != null) {
            closed.whenComplete((r, e) -> {
                if (e != null) {
                    app.completeExceptionally(unwrap(e));
                } else {
                    app.complete(r);
                }
            });
        }
        return true;
    }

    @Override
    public boolean sendPing(Object socket, Object state) {
        ((WebSocket) socket).sendPing(ByteBuffer.allocate(0));
        return true;
    }

    @Override
    public void abort(Object socket, Object state) {
        ((WebSocket) socket).abort();
    }

    @Override
    public Object deferredCloseResult(Object socket, Object state) {
        State st = (State) state;
        CompletableFuture<WebSocket> app = new CompletableFuture<>();
        synchronized (st) {
            st.appClose = app;
        }
        return app;
    }

    @Override
    public Object sendIssued(Object socket, Object state, Object result, Object message, boolean binary, boolean last) {
        State st = (State) state;
        CompletableFuture<?> answered = (CompletableFuture<?>) result;
        if (answered.isCompletedExceptionally() && refusedAsPending(answered)) {
            CompletableFuture<?> previous = st.appSend;
            // The app waited for its own previous send, so the flag was the agent's (whose write may
            // have completed since): send it after the agent's writes.
            if ((previous == null || previous.isDone()) && st.agentHasWritten()) {
                WebSocket ws = (WebSocket) socket;
                CompletableFuture<WebSocket> replay = st.enqueue(false, () -> send(binary
                        ? () -> ws.sendBinary((ByteBuffer) message, last)
                        : () -> ws.sendText((CharSequence) message, last), RETRIES));
                st.appSend = replay;
                return replay;
            }
        }
        st.appSend = answered;
        return result;
    }

    /** One write of the agent's, tried again while a send of the app's that it raced with holds the flag. */
    private static CompletableFuture<WebSocket> send(Supplier<CompletableFuture<WebSocket>> write, int retriesLeft) {
        CompletableFuture<WebSocket> attempt = asAgent(write);
        if (retriesLeft <= 0 || !attempt.isCompletedExceptionally() || !refusedAsPending(attempt)) {
            return attempt;
        }
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(RETRY_MILLIS, TimeUnit.MILLISECONDS))
                .thenCompose(ignored -> send(write, retriesLeft - 1));
    }

    private static CompletableFuture<WebSocket> asAgent(Supplier<CompletableFuture<WebSocket>> write) {
        try {
            return AgentWrites.run(write::get);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The JDK's answer to a second outstanding send: a future failed with IllegalStateException("Send pending"). */
    static boolean refusedAsPending(CompletableFuture<?> f) {
        try {
            f.getNow(null);
            return false;
        } catch (CompletionException e) {
            return e.getCause() instanceof IllegalStateException;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
