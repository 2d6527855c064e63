package dev.deepgramagent.instrumentation.netty;

import dev.deepgramagent.core.session.SocketControl;
import dev.deepgramagent.install.HelperClasses;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;

/**
 * Acts on a Netty channel through the agent's handler in its pipeline ({@link DeepgramChannelHandler}),
 * which the agent defines in the class loader of the app's Netty and installs once the handshake of
 * a Deepgram channel succeeded. The agent's class loader cannot see Netty: the handler's methods are
 * called by reflection, looked up once per class loader.
 */
final class NettyControl implements SocketControl {

    static final String HANDLER = "dev.deepgramagent.instrumentation.netty.DeepgramChannelHandler";

    /**
     * The handler's methods, keyed by a Netty class (the channel's, a buffer's) whose loader is the
     * app's Netty's: install, head, sendText, sendPing, close, abort, execute.
     */
    private static final ClassValue<Method[]> HANDLER_METHODS = new ClassValue<Method[]>() {
        @Override
        protected Method[] computeValue(Class<?> nettyType) {
            try {
                Class<?> h = HelperClasses.define(nettyType.getClassLoader(), HANDLER);
                return new Method[] {
                    h.getMethod("install", Object.class),
                    h.getMethod("head", Object.class, int.class),
                    h.getMethod("sendText", String.class),
                    h.getMethod("sendPing"),
                    h.getMethod("close", int.class, String.class),
                    h.getMethod("abort"),
                    h.getMethod("execute", Runnable.class),
                };
            } catch (Exception e) {
                throw new IllegalStateException("cannot define the agent's channel handler beside " + nettyType.getName(), e);
            }
        }
    };

    /** Per channel: the handler once installed. */
    static final class State {
        volatile Object handler;
        volatile Method[] methods;
        /** reactor-netty: the app's close, deferred as a whole; completed when the engine carries it out. */
        volatile CompletableFuture<Void> deferredClose;
    }

    /** reactor-netty's close waits for this (see NettyHandshakeAdvice.ReactorSendClose). */
    @Override
    public Object deferredCloseResult(Object socket, Object state) {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        ((State) state).deferredClose = gate;
        return gate;
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

    @Override
    public byte[] audioHead(Object payload, int max) throws Exception {
        // The payload is a ByteBuf of the app's Netty.
        return (byte[]) HANDLER_METHODS.get(payload.getClass())[1].invoke(null, payload, max);
    }

    @Override
    public boolean sendText(Object socket, Object state, String text) throws Exception {
        State st = (State) state;
        return st.handler != null && (Boolean) st.methods[2].invoke(st.handler, text);
    }

    @Override
    public boolean pingsOnItsOwn() {
        return false; // neither Netty's codec nor reactor-netty ping a client connection on their own
    }

    @Override
    public boolean sendPing(Object socket, Object state) throws Exception {
        State st = (State) state;
        return st.handler != null && (Boolean) st.methods[3].invoke(st.handler);
    }

    @Override
    public boolean close(Object socket, Object state, int code, String reason) throws Exception {
        State st = (State) state;
        if (st.handler == null) {
            return false;
        }
        CompletableFuture<Void> gate = st.deferredClose;
        if (gate != null) {
            // The app's own close (reactor-netty's) goes now, on the event loop, off the agent's thread.
            st.deferredClose = null;
            st.methods[6].invoke(st.handler, (Runnable) () -> gate.complete(null));
            return true;
        }
        return (Boolean) st.methods[4].invoke(st.handler, code, reason);
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
            st.methods[5].invoke(st.handler);
        } else {
            CHANNEL_CLOSE.get(socket.getClass()).invoke(socket);
        }
    }

    /** {@code Channel.close()}, through Netty's public interface (the channel's class may not be public). */
    private static final ClassValue<Method> CHANNEL_CLOSE = new ClassValue<Method>() {
        @Override
        protected Method computeValue(Class<?> channelType) {
            try {
                return Class.forName("io.netty.channel.ChannelOutboundInvoker", false, channelType.getClassLoader()).getMethod("close");
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("not a Netty channel: " + channelType.getName(), e);
            }
        }
    };
}
