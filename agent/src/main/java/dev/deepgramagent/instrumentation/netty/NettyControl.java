package dev.deepgramagent.instrumentation.netty;

import dev.deepgramagent.bridge.Bridge;
import dev.deepgramagent.core.session.SocketControl;
import dev.deepgramagent.install.HelperClasses;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Acts on a Netty channel through the agent's handler in its pipeline ({@link DeepgramChannelHandler}),
 * which the agent defines in the class loader of the app's Netty and installs once the handshake of
 * a Deepgram channel succeeded. The agent's class loader cannot see Netty (or reactor): their
 * methods are called by reflection, looked up once per class loader.
 */
final class NettyControl implements SocketControl {

    static final String HANDLER = "dev.deepgramagent.instrumentation.netty.DeepgramChannelHandler";

    /** The handler's methods, keyed by the channel's class (its loader has the app's Netty): install, sendText, sendPing, close, abort, execute. */
    private static final ClassValue<Method[]> HANDLER_METHODS = new ClassValue<Method[]>() {
        @Override
        protected Method[] computeValue(Class<?> channelType) {
            try {
                Class<?> h = HelperClasses.define(channelType.getClassLoader(), HANDLER);
                return new Method[] {
                    h.getMethod("install", Object.class),
                    h.getMethod("sendText", String.class),
                    h.getMethod("sendPing"),
                    h.getMethod("close", int.class, String.class),
                    h.getMethod("abort"),
                    h.getMethod("execute", Runnable.class),
                };
            } catch (Throwable e) {
                // An Error (a loader that cannot see Netty's transport) included: reported once per session, cached nowhere.
                throw new IllegalStateException("cannot define the agent's channel handler beside " + channelType.getName(), e);
            }
        }
    };

    /** {@code Channel.close()}, through Netty's public interface (the channel's class may not be public). */
    private static final ClassValue<Method> CHANNEL_CLOSE = new ClassValue<Method>() {
        @Override
        protected Method computeValue(Class<?> channelType) {
            return method(channelType, "io.netty.channel.ChannelOutboundInvoker", "close");
        }
    };

    /** A ByteBuf's readerIndex(), readableBytes(), getBytes(int, byte[]), on Netty's public class. */
    private static final ClassValue<Method[]> BYTE_BUF = new ClassValue<Method[]>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
            return new Method[] {method(type, "io.netty.buffer.ByteBuf", "readerIndex"), method(type, "io.netty.buffer.ByteBuf", "readableBytes"),
                method(type, "io.netty.buffer.ByteBuf", "getBytes", int.class, byte[].class)};
        }
    };

    /** reactor's Mono.defer(Supplier), Mono.fromCompletionStage, doOnCancel(Runnable), then(Mono); ReferenceCounted.release(). */
    private static final ClassValue<Method[]> REACTOR = new ClassValue<Method[]>() {
        @Override
        protected Method[] computeValue(Class<?> monoType) {
            String mono = "reactor.core.publisher.Mono";
            try {
                Class<?> m = Class.forName(mono, false, monoType.getClassLoader());
                return new Method[] {m.getMethod("defer", Supplier.class), m.getMethod("fromCompletionStage", CompletionStage.class),
                    m.getMethod("doOnCancel", Runnable.class), m.getMethod("then", m),
                    method(monoType, "io.netty.util.ReferenceCounted", "release")};
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("no reactor Mono beside " + monoType.getName(), e);
            }
        }
    };

    private static Method method(Class<?> beside, String type, String name, Class<?>... parameters) {
        try {
            return Class.forName(type, false, beside.getClassLoader()).getMethod(name, parameters);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no " + type + "." + name + " beside " + beside.getName(), e);
        }
    }

    /**
     * What reactor's close waits for. Completed by the engine's close, or abandoned by the app (a
     * timeout, a dispose): whichever comes first, once; abandoning never completes it, so reactor
     * sees no error for a subscription that is gone.
     */
    static final class Gate extends CompletableFuture<Void> {
        private final java.util.concurrent.atomic.AtomicInteger phase = new java.util.concurrent.atomic.AtomicInteger();

        boolean open() {
            return phase.compareAndSet(0, 1) && complete(null);
        }

        boolean abandon() {
            return phase.compareAndSet(0, 2);
        }
    }

    /** Per channel. */
    static final class State {
        volatile Object handler;
        volatile Method[] methods;
        /** reactor-netty: the app's close, waiting as a whole; completed when the engine carries the close out. */
        private Gate deferredClose;
        /** The engine carried the close out: a close the app subscribes to later runs at once. */
        private boolean closePerformed;
        /** reactor-netty: the app's further closes while the first waits; they run after it. */
        private final List<Gate> waitingClones = new ArrayList<>();
    }

    @Override
    public Object newState() {
        return new State();
    }

    /** The handshake succeeded (or the channel was adopted): the handler goes into the pipeline. */
    @Override
    public void opened(Object socket, Object state) throws Exception {
        Method[] m = HANDLER_METHODS.get(socket.getClass());
        State st = (State) state;
        st.methods = m;
        st.handler = m[0].invoke(null, socket);
    }

    /** The first {@code max} readable bytes of an audio frame's ByteBuf; its reader index stays. */
    @Override
    public byte[] audioHead(Object payload, int max) throws Exception {
        Method[] b = BYTE_BUF.get(payload.getClass());
        int from = (Integer) b[0].invoke(payload);
        byte[] head = new byte[Math.min(max, (Integer) b[1].invoke(payload))];
        b[2].invoke(payload, from, head);
        return head;
    }

    @Override
    public boolean sendText(Object socket, Object state, String text) throws Exception {
        State st = (State) state;
        return st.handler != null && (Boolean) st.methods[1].invoke(st.handler, text);
    }

    @Override
    public boolean pingsOnItsOwn() {
        return false; // neither Netty's codec nor reactor-netty ping a client connection on their own
    }

    @Override
    public boolean sendPing(Object socket, Object state) throws Exception {
        State st = (State) state;
        return st.handler != null && (Boolean) st.methods[2].invoke(st.handler);
    }

    /**
     * reactor-netty's close Mono, wrapped: when the app subscribes, the engine decides; a deferred close
     * waits for {@link #close}, and if the app gives up on it first, its frame is released.
     */
    @Override
    public Object closeIssued(Object socket, Object state, int code, String reason, Object frame, Object appResult) {
        Method[] r = REACTOR.get(appResult.getClass());
        State st = (State) state;
        Supplier<Object> atSubscription = () -> {
            Gate gate = new Gate();
            boolean waitsForAnother;
            synchronized (st) {
                if (st.closePerformed) {
                    return appResult;
                }
                waitsForAnother = st.deferredClose != null;
                if (waitsForAnother) {
                    // The app's second close while its first waits for the flush: it waits for the same close
                    // (its own gate, so that giving it up releases its frame only).
                    st.waitingClones.add(gate);
                } else {
                    st.deferredClose = gate; // before the engine decides: the close it performs always finds it
                }
            }
            if (!waitsForAnother && !Bridge.closeRequested(socket, code, reason, false)) {
                List<Gate> orphans;
                synchronized (st) {
                    if (st.deferredClose == gate) {
                        st.deferredClose = null;
                    }
                    orphans = new ArrayList<>(st.waitingClones); // a close subscribed in between waits for nothing now
                    st.waitingClones.clear();
                }
                for (Gate orphan : orphans) {
                    orphan.open();
                }
                return appResult;
            }
            try {
                Object waiting = r[1].invoke(null, gate);
                Runnable releaseIfAbandoned = () -> {
                    if (gate.abandon()) { // before the close ran: reactor's own Mono never will
                        try {
                            r[4].invoke(frame); // reactor-netty's own Mono never ran: its frame is ours to release
                        } catch (ReflectiveOperationException ignored) {
                            // nothing else holds it
                        }
                    }
                };
                return r[3].invoke(r[2].invoke(waiting, releaseIfAbandoned), appResult);
            } catch (ReflectiveOperationException e) {
                gate.open();
                return appResult;
            }
        };
        try {
            return r[0].invoke(null, atSubscription);
        } catch (ReflectiveOperationException e) {
            return appResult;
        }
    }

    /** The deferred close: the app's own (reactor-netty's Mono, or the held frame), or a new close frame. */
    @Override
    public boolean close(Object socket, Object state, int code, String reason) throws Exception {
        State st = (State) state;
        Gate gate;
        List<Gate> clones;
        synchronized (st) {
            st.closePerformed = true;
            gate = st.deferredClose;
            st.deferredClose = null;
            clones = new ArrayList<>(st.waitingClones);
            st.waitingClones.clear();
        }
        if (gate != null) {
            // reactor-netty's close runs now: on the event loop, off the agent's thread, or here if the loop is gone;
            // the app's further closes after it (reactor-netty sends one close frame and releases the others').
            Runnable open = () -> {
                gate.open();
                for (Gate clone : clones) {
                    clone.open();
                }
            };
            try {
                if (st.handler != null) {
                    st.methods[5].invoke(st.handler, open);
                    return true;
                }
            } catch (ReflectiveOperationException | RuntimeException loopGone) {
                // opened below
            }
            open.run();
            return true;
        }
        return st.handler != null && (Boolean) st.methods[3].invoke(st.handler, code, reason);
    }

    @Override
    public boolean timesOutCloseOnItsOwn() {
        return false; // a close frame written to a channel waits for the server as long as the app lets it
    }

    /** The handler's abort once it is installed; before (a handshake that timed out), the channel's own close. */
    @Override
    public void abort(Object socket, Object state) throws Exception {
        State st = (State) state;
        if (st.handler != null) {
            st.methods[4].invoke(st.handler);
        } else {
            CHANNEL_CLOSE.get(socket.getClass()).invoke(socket);
        }
    }
}
