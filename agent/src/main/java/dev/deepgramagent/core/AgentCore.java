package dev.deepgramagent.core;

import dev.deepgramagent.bridge.BridgeHandler;
import dev.deepgramagent.config.AgentConfig;
import dev.deepgramagent.config.ConfigKey;
import dev.deepgramagent.core.session.CoarseClock;
import dev.deepgramagent.core.session.Session;
import dev.deepgramagent.core.session.SessionEngine;
import dev.deepgramagent.core.session.SessionListener;
import dev.deepgramagent.core.session.SocketControl;
import dev.deepgramagent.errors.InternalErrors;
import dev.deepgramagent.logging.AgentLogging;
import dev.deepgramagent.logging.SessionLog;

/**
 * Behind the bridge: forwards every adapter event to the {@link SessionEngine} and turns any
 * exception into a counted internal error (after which the agent only observes).
 */
public final class AgentCore extends BridgeHandler {

    private final SessionEngine engine;
    private final SessionLog sessionLog;
    // test.fail-on, resolved once: the send path checks a final boolean, not a string.
    private final boolean failOnSend;
    private final boolean failOnReceive;
    private final boolean failOnClose;
    // Closed after the sessions are flushed at JVM exit (see shutdown()).
    private final java.util.List<AutoCloseable> closeAtExit = new java.util.concurrent.CopyOnWriteArrayList<>();
    // Built at the first tracked session, on a thread of their own (see warmUp()).
    private final java.util.List<Runnable> warmUps = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean warmedUp;

    public AgentCore(AgentConfig config) {
        this.engine = new SessionEngine(config);
        String failOn = config.text(ConfigKey.TEST_FAIL_ON);
        this.failOnSend = failOn.equals("send");
        this.failOnReceive = failOn.equals("receive");
        this.failOnClose = failOn.equals("close");
        this.sessionLog = new SessionLog(config, CoarseClock.SYSTEM);
        engine.addListener(sessionLog);
        engine.every(1000, new Housekeeping(false));
        Runtime.getRuntime().addShutdownHook(new Thread(new Housekeeping(true), "deepgram-agent-shutdown"));
    }

    /**
     * Something the agent's start leaves to the first tracked session (the metric families): built
     * then, in the background, beside logback's context, so that neither costs the app's start-up
     * nor, usually, the library's thread at that session's first event. (A settings warning raised
     * while the first session is created builds them where it happens; after an attach, see
     * {@link #warmUpNow}.)
     */
    public void warmUpAtFirstSession(Runnable task) {
        warmUps.add(task);
    }

    /**
     * Starts the warm-up now, once: at the first tracked session, or at an attach. After an attach
     * the app's open sockets are adopted at their next event, on the app's thread (an audio send,
     * most often), which would otherwise build logback's context and the metric families there.
     */
    public void warmUpNow() {
        if (!warmedUp) {
            warmUp();
        }
    }

    private void warmUp() {
        synchronized (warmUps) {
            if (warmedUp) {
                return;
            }
            warmedUp = true;
        }
        Thread t = new Thread(new WarmUp(warmUps), "deepgram-agent-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private static final class WarmUp implements Runnable {
        private final java.util.List<Runnable> tasks;

        WarmUp(java.util.List<Runnable> tasks) {
            this.tasks = tasks;
        }

        @Override
        public void run() {
            try {
                AgentLogging.prepare();
            } catch (Throwable ignored) {
                // the first line that needs the log creates it again, and reports its failure
            }
            for (Runnable task : tasks) {
                try {
                    task.run();
                } catch (Throwable ignored) {
                    // likewise: the first event or scrape builds it again
                }
            }
        }
    }

    /** The suppressed-log report each second, or the shutdown: a class, not lambdas, on the start path (see CoarseClock.SYSTEM). */
    private final class Housekeeping implements Runnable {
        private final boolean shutdown;

        Housekeeping(boolean shutdown) {
            this.shutdown = shutdown;
        }

        @Override
        public void run() {
            if (shutdown) {
                shutdown();
            } else {
                sessionLog.reportSuppressed();
            }
        }
    }

    /** The control is created at the library's first session (see SessionEngine#register). */
    public void registerLibrary(String library, java.util.function.Supplier<? extends SocketControl> control) {
        engine.register(library, control);
    }

    public void addListener(SessionListener listener) {
        engine.addListener(listener);
    }

    /**
     * Closes the resource when the JVM exits, after the sessions are flushed. A thread left blocked
     * in native code (a server's selector) makes HotSpot wait about 300 ms before it exits.
     */
    public void closeAtExit(AutoCloseable resource) {
        closeAtExit.add(resource);
    }

    public SessionEngine engine() {
        return engine;
    }

    private void shutdown() {
        try {
            engine.shutdown();
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "shutdown", t);
        } finally {
            try {
                sessionLog.reportSuppressed();
            } catch (Throwable t) {
                InternalErrors.record(InternalErrors.Kind.RUNTIME, "shutdown", t);
            }
        }
        for (AutoCloseable resource : closeAtExit) {
            try {
                resource.close();
            } catch (Throwable t) {
                InternalErrors.record(InternalErrors.Kind.RUNTIME, "shutdown", t);
            }
        }
    }

    @Override
    public void socketCreated(Object socket, String library, String url, String clientSessionId) {
        try {
            Session s = engine.created(socket, library, url, clientSessionId);
            if (s != null) {
                warmUpNow();
                if (AgentLogging.debugEnabled()) {
                    // Never the URL itself: its query may carry customer settings or a token.
                    AgentLogging.logger("core").debug("{}: tracking a Deepgram {} session", library, s.endpoint.label());
                }
            }
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "socketCreated", t);
        }
    }

    @Override
    public void socketRekeyed(Object from, Object to) {
        try {
            engine.rekeyed(from, to);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "socketRekeyed", t);
        }
    }

    @Override
    public void handshakeStarted(Object socket, Object outcome) {
        try {
            if (outcome instanceof java.util.concurrent.CompletionStage) {
                engine.handshakeStarted(socket, (java.util.concurrent.CompletionStage<?>) outcome);
            }
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "handshakeStarted", t);
        }
    }

    @Override
    public void socketOpened(Object socket, String requestId) {
        try {
            engine.opened(socket, requestId);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "socketOpened", t);
        }
    }

    @Override
    public boolean binarySent(Object socket, int bytes, Object payload) {
        try {
            drill(failOnSend, "send");
            return engine.binarySent(socket, bytes, payload);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "binarySent", t);
            return false;
        }
    }

    @Override
    public boolean tracked(Object socket) {
        try {
            return engine.tracked(socket);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "tracked", t);
            return false;
        }
    }

    @Override
    public int textSent(Object socket, String text) {
        try {
            return engine.textSent(socket, text);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "textSent", t);
            return SEND;
        }
    }

    @Override
    public boolean closeRequested(Object socket, int code, String reason, boolean alreadyClosing) {
        try {
            drill(failOnClose, "close");
            return engine.closeRequested(socket, code, reason, alreadyClosing);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "closeRequested", t);
            return false;
        }
    }

    @Override
    public void cancelRequested(Object socket) {
        try {
            engine.cancelRequested(socket);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "cancelRequested", t);
        }
    }

    @Override
    public void textReceived(Object socket, String text) {
        try {
            drill(failOnReceive, "receive");
            engine.textReceived(socket, text);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "textReceived", t);
        }
    }

    @Override
    public void messageDelivered(Object socket) {
        try {
            engine.messageDelivered(socket);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "messageDelivered", t);
        }
    }

    @Override
    public void textPartReceived(Object socket, CharSequence part, boolean last) {
        try {
            drill(failOnReceive, "receive");
            engine.textPartReceived(socket, part, last);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "textReceived", t);
        }
    }

    @Override
    public Object audioSent(Object socket, Object session, int bytes, Object payload) {
        try {
            drill(failOnSend, "send");
            Object token = engine.audioSent(socket, session, bytes, payload);
            return token == SessionEngine.DROP_FRAME ? new java.io.IOException("Output closed") : token; // as the JDK after sendClose
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "binarySent", t);
            return null;
        }
    }

    @Override
    public Object sendIssued(Object socket, Object token, Object result, Object message, int kind, boolean last) {
        try {
            return engine.sendIssued(socket, token, result, message, kind, last);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "sendIssued", t);
            return result;
        }
    }

    @Override
    public Object deferredCloseResult(Object socket) {
        try {
            return engine.deferredCloseResult(socket);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "deferredCloseResult", t);
            return null;
        }
    }

    @Override
    public Object closeIssued(Object socket, int code, String reason, Object frame, Object appResult) {
        try {
            return engine.closeIssued(socket, code, reason, frame, appResult);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "closeIssued", t);
            return appResult;
        }
    }

    @Override
    public void closeReceived(Object socket, int code, String reason) {
        try {
            engine.closeReceived(socket, code, reason);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "closeReceived", t);
        }
    }

    @Override
    public void failed(Object socket, Throwable error, int httpStatus, String serverMessage) {
        try {
            engine.failed(socket, error, httpStatus, serverMessage);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "failed", t);
        }
    }

    @Override
    public long tunedTimeout(Object socket, String url, String key, long appValue) {
        try {
            return engine.tunedTimeout(socket, url, key, appValue);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "tunedTimeout", t);
            return appValue;
        }
    }

    /** test.fail-on: a deliberate internal error, to rehearse how the agent degrades. */
    private static void drill(boolean armed, String point) {
        if (armed) {
            throw new IllegalStateException("internal error forced by test.fail-on=" + point);
        }
    }
}
