package dev.deepgramagent.core.session;

import dev.deepgramagent.config.AgentConfig;
import dev.deepgramagent.config.ConfigKey;
import dev.deepgramagent.core.DeepgramEndpoints;
import dev.deepgramagent.errors.InternalErrors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The library-agnostic core. Adapters report socket events; the engine tracks each Deepgram
 * session, decides what to inject (Finalize before a close, KeepAlive in idle gaps), performs the
 * deferred close, and gives every end one root cause. It writes to sockets only through a
 * {@link SocketControl}, only in active mode and only while no internal error has happened.
 */
public final class SessionEngine {

    static final String KEEPALIVE = "{\"type\":\"KeepAlive\"}";
    static final String FINALIZE = "{\"type\":\"Finalize\"}";
    static final String CLOSESTREAM = "{\"type\":\"CloseStream\"}";

    private final AgentConfig config;
    private final DeepgramEndpoints endpoints;
    private final SessionTable table = new SessionTable();
    private final Map<String, SocketControl> controls = new ConcurrentHashMap<>();
    private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
    private final LongSupplier clock;
    /** Timestamps on the audio send path: the coarse clock in production (see CoarseClock). */
    private final LongSupplier sendClock;
    private final ScheduledExecutorService scheduler;
    /** Set while the agent itself writes to a socket, so its own calls pass the advice untouched. */
    private final ThreadLocal<Boolean> injecting = new ThreadLocal<>();
    private final long keepAliveNanos;
    private final long finalizeTimeoutMillis;
    private final String flushMessage;       // null when finalize.mode=off
    private final boolean flushIsCloseStream;
    /** Ends whose listeners (log, metrics) are still running: the shutdown hook waits for them. */
    private final java.util.concurrent.atomic.AtomicInteger reportsInFlight = new java.util.concurrent.atomic.AtomicInteger();

    public SessionEngine(AgentConfig config) {
        this(config, System::nanoTime, new CoarseClock(System::nanoTime), newScheduler());
    }

    /** Tests: one exact clock for everything. */
    SessionEngine(AgentConfig config, LongSupplier clock, ScheduledExecutorService scheduler) {
        this(config, clock, clock, scheduler);
    }

    private SessionEngine(AgentConfig config, LongSupplier clock, LongSupplier sendClock, ScheduledExecutorService scheduler) {
        this.config = config;
        this.endpoints = new DeepgramEndpoints(config.hosts());
        this.clock = clock;
        this.sendClock = sendClock;
        this.scheduler = scheduler;
        this.keepAliveNanos = TimeUnit.MILLISECONDS.toNanos(config.millis(ConfigKey.KEEPALIVE_INTERVAL));
        this.finalizeTimeoutMillis = config.millis(ConfigKey.FINALIZE_TIMEOUT);
        String mode = config.text(ConfigKey.FINALIZE_MODE);
        this.flushMessage = mode.equals("off") ? null : mode.equals("closestream") ? CLOSESTREAM : FINALIZE;
        this.flushIsCloseStream = mode.equals("closestream");
        if (keepAliveNanos > 0) {
            long tick = Math.max(50, Math.min(500, config.millis(ConfigKey.KEEPALIVE_INTERVAL) / 4));
            scheduler.scheduleWithFixedDelay(this::keepAliveTick, tick, tick, TimeUnit.MILLISECONDS);
        }
        scheduler.scheduleWithFixedDelay(this::sweepOrphans, 10, 10, TimeUnit.SECONDS);
    }

    private static ScheduledExecutorService newScheduler() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "deepgram-agent-scheduler");
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    public void register(String library, SocketControl control) {
        controls.put(library, control);
    }

    public void addListener(SessionListener listener) {
        listeners.add(listener);
    }

    /** Whether the agent may write to sockets now. */
    boolean active() {
        return config.mode() == AgentConfig.Mode.ACTIVE && !InternalErrors.degraded();
    }

    boolean injecting() {
        return injecting.get() == Boolean.TRUE;
    }

    public int openSessions() {
        return table.size();
    }

    public List<Session> sessions() {
        return table.sessions();
    }

    // ---- events from adapters ---------------------------------------------------------------

    /** @return the new session, or null when the URL is not a Deepgram streaming endpoint. */
    public Session created(Object socket, String library, String url) {
        DeepgramEndpoints.Endpoint endpoint = endpoints.classify(url);
        if (endpoint == null) {
            return null;
        }
        Session s = new Session(socket, library, endpoint, AudioFormat.fromUrl(url), clock.getAsLong());
        table.put(socket, s);
        if (sendClock instanceof CoarseClock) {
            ((CoarseClock) sendClock).start(scheduler);
        }
        return s;
    }

    public void opened(Object socket, String requestId) {
        Session s = table.get(socket);
        if (s == null) {
            return;
        }
        synchronized (s) {
            s.openedNanos = clock.getAsLong();
            s.lastSendNanos = s.openedNanos;
            s.requestId = requestId;
            if (s.state == Session.State.CONNECTING) {
                s.state = Session.State.OPEN;
            }
        }
        for (SessionListener l : listeners) {
            l.opened(s);
        }
    }

    /** The audio send path. @return true to drop the frame (the app already closed). */
    public boolean binarySent(Object socket, int bytes) {
        Session s = table.get(socket);
        if (s == null) {
            return false;
        }
        if (s.appCloseRequested) {
            return true;
        }
        s.audioSent(bytes, sendClock.getAsLong());
        return false;
    }

    /** @return true to drop the message (the app already closed). */
    public boolean textSent(Object socket, String text) {
        if (injecting()) {
            return false;
        }
        Session s = table.get(socket);
        if (s == null) {
            return false;
        }
        long now = clock.getAsLong();
        synchronized (s) {
            if (s.appCloseRequested) {
                return true;
            }
            s.textSent(now);
            ServerMessage m = ServerMessage.parse(text);
            String type = m == null ? null : m.type;
            if ("KeepAlive".equals(type)) {
                s.appKeepAlives++;
            } else if ("Finalize".equals(type)) {
                s.appFinalizes++;
                s.flushSent(false, now);
            } else if ("CloseStream".equals(type)) {
                s.appCloseStreams++;
                s.flushSent(true, now);
            }
        }
        return false;
    }

    /**
     * The app asked to close. @return true when the agent takes the close over: it sends the flush
     * message now and performs the app's close once the flush is answered or the timeout passes.
     */
    public boolean closeRequested(Object socket, int code, String reason, boolean libraryAlreadyClosing) {
        if (injecting()) {
            Session own = table.get(socket);
            if (own != null) {
                synchronized (own) {
                    own.clientCloseSent = true;
                }
            }
            return false;
        }
        Session s = table.get(socket);
        if (s == null) {
            return false;
        }
        boolean inject;
        synchronized (s) {
            if (s.appCloseRequested || libraryAlreadyClosing || s.state == Session.State.ENDED) {
                return false;
            }
            s.appCloseRequested = true;
            s.appCloseCode = code;
            s.appCloseReason = reason;
            s.appCloseNanos = clock.getAsLong();
            boolean deferrable = (code == 1000 || code == 1001)
                    && (s.state == Session.State.OPEN || s.state == Session.State.CONNECTING)
                    && s.endpoint == DeepgramEndpoints.Endpoint.LISTEN_V1 && flushMessage != null && active()
                    && (reason == null || reason.length() <= 40);
            boolean needsFlush = s.hasUnflushedAudio() || s.flushOutstanding;
            if (!deferrable || !needsFlush) {
                s.clientCloseSent = true;
                return false;
            }
            inject = !s.flushOutstanding;
            deferClose(s, inject, s.appCloseNanos);
        }
        if (inject && !write(s, socket, flushMessage)) {
            performClose(s);
            return true;
        }
        if (inject) {
            notifyInjected(s, flushType());
        }
        ScheduledFuture<?> timer = scheduler.schedule(() -> performClose(s), finalizeTimeoutMillis, TimeUnit.MILLISECONDS);
        synchronized (s) {
            if (s.state == Session.State.ENDED) {
                timer.cancel(false); // the flush was answered before the timer was armed
            } else {
                s.closeTimer = timer;
            }
        }
        return true;
    }

    public void cancelRequested(Object socket) {
        if (injecting()) {
            return;
        }
        Session s = table.get(socket);
        if (s != null) {
            synchronized (s) {
                // After a close, OkHttp itself cancels when the server never answers: that is a
                // close timeout, not the app aborting.
                if (!s.clientCloseSent) {
                    s.appCancelled = true;
                }
            }
        }
    }

    public void textReceived(Object socket, String text) {
        Session s = table.get(socket);
        if (s == null) {
            return;
        }
        ServerMessage m = ServerMessage.parse(text);
        if (m == null) {
            return;
        }
        boolean closeNow = false;
        double latency = -1;
        long now = clock.getAsLong();
        synchronized (s) {
            if (m.isResults() && m.isFinal) {
                s.finalResults++;
                s.coveredUntil = Math.max(s.coveredUntil, m.start + m.duration);
            }
            if (m.isMetadata()) {
                s.metadataSeen = true;
            }
            // Finalize is answered by a from_finalize result; CloseStream by the Metadata that follows its results.
            boolean answersFlush = s.flushOutstanding
                    && (s.flushIsCloseStream ? m.isMetadata() : m.isResults() && m.fromFinalize);
            if (answersFlush) {
                s.flushOutstanding = false;
                s.lastFlushLatencyNanos = now - s.flushSentNanos;
                latency = s.lastFlushLatencyNanos / 1e9;
                closeNow = s.state == Session.State.DEFERRING_CLOSE;
            }
        }
        if (latency >= 0) {
            for (SessionListener l : listeners) {
                l.flushAnswered(s, latency);
            }
        }
        if (closeNow) {
            performClose(s);
        }
    }

    public void closeReceived(Object socket, int code, String reason) {
        Session s = table.get(socket);
        if (s != null) {
            end(s, EndEvent.serverClose(code, reason));
        }
    }

    public void failed(Object socket, Throwable error, int httpStatus) {
        Session s = table.get(socket);
        if (s != null) {
            end(s, EndEvent.failure(error, httpStatus));
        }
    }

    /** okhttp.ping.interval, okhttp.close.timeout, okhttp.connect.timeout on Deepgram sockets only. */
    public long tunedTimeout(Object socket, String url, String which, long appValue) {
        boolean deepgram = socket != null ? table.get(socket) != null : endpoints.classify(url) != null;
        if (!deepgram) {
            return appValue;
        }
        ConfigKey key;
        switch (which) {
            case "ping": key = ConfigKey.OKHTTP_PING_INTERVAL; break;
            case "close": key = ConfigKey.OKHTTP_CLOSE_TIMEOUT; break;
            case "connect": key = ConfigKey.OKHTTP_CONNECT_TIMEOUT; break;
            default: return appValue;
        }
        long configured = config.millis(key);
        return configured < 0 ? appValue : configured;
    }

    // ---- agent actions ----------------------------------------------------------------------

    /** Enters DEFERRING_CLOSE; with {@code inject}, records the flush message the caller then sends. Lock held. */
    private void deferClose(Session s, boolean inject, long now) {
        s.state = Session.State.DEFERRING_CLOSE;
        s.deferred = true;
        s.coveredAtDeferral = s.coveredUntil;
        if (inject) {
            s.flushSent(flushIsCloseStream, now);
            if (flushIsCloseStream) {
                s.injectedCloseStreams++;
            } else {
                s.injectedFinalizes++;
            }
        }
    }

    /** The messages_injected type of the configured flush message. */
    private String flushType() {
        return flushIsCloseStream ? "closestream" : "finalize";
    }

    /** Performs the app's deferred close, once. */
    private void performClose(Session s) {
        int code;
        String reason;
        synchronized (s) {
            if (s.state != Session.State.DEFERRING_CLOSE) {
                return;
            }
            s.state = Session.State.CLOSING;
            s.clientCloseSent = true;
            code = s.appCloseCode;
            reason = s.appCloseReason;
        }
        Object socket = s.socket();
        SocketControl control = controls.get(s.library);
        if (socket == null || control == null) {
            return;
        }
        injecting.set(Boolean.TRUE);
        try {
            control.close(socket, code, reason);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, s.library + " deferred close", t);
        } finally {
            injecting.remove();
        }
    }

    private boolean write(Session s, Object socket, String text) {
        SocketControl control = controls.get(s.library);
        if (socket == null || control == null) {
            return false;
        }
        injecting.set(Boolean.TRUE);
        try {
            boolean ok = control.sendText(socket, text);
            if (ok) {
                s.textSent(clock.getAsLong());
            }
            return ok;
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, s.library + " send", t);
            return false;
        } finally {
            injecting.remove();
        }
    }

    void keepAliveTick() {
        try {
            if (!active()) {
                return;
            }
            long now = clock.getAsLong();
            for (Session s : table.sessions()) {
                boolean send;
                synchronized (s) {
                    send = s.state == Session.State.OPEN && now - s.lastSendNanos >= keepAliveNanos;
                    if (send) {
                        s.injectedKeepAlives++;
                    }
                }
                if (send && write(s, s.socket(), KEEPALIVE)) {
                    notifyInjected(s, "keepalive");
                }
            }
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "keepalive", t);
        }
    }

    /** Sessions whose socket the app dropped without the library ever reporting an end: unknown. */
    void sweepOrphans() {
        try {
            for (Session s : table.sweepOrphans()) {
                end(s, EndEvent.orphaned());
            }
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "sweep", t);
        }
    }

    private void notifyInjected(Session s, String type) {
        for (SessionListener l : listeners) {
            l.injected(s, type);
        }
    }

    private void end(Session s, EndEvent event) {
        SessionEnd end;
        synchronized (s) {
            if (s.state == Session.State.ENDED) {
                return;
            }
            s.state = Session.State.ENDED;
            long now = clock.getAsLong();
            double lost = s.format.knowsDuration() ? Math.max(0, s.audioSeconds() - s.coveredUntil) : 0;
            double rescued = s.deferred && s.coveredAtDeferral >= 0 ? Math.max(0, s.coveredUntil - s.coveredAtDeferral) : 0;
            if (!s.format.knowsDuration() && s.deferred && !s.flushOutstanding) {
                rescued = 0;
            }
            RootCause cause = EndClassifier.classify(s, event, lost);
            String reason = event.closeReason;
            if (reason != null && reason.length() > 40) {
                reason = reason.substring(0, 40);
            }
            end = new SessionEnd(cause, s, event.closeCode, reason, event.httpStatus,
                    event.error == null ? null : event.error.getClass().getName(),
                    (now - s.createdNanos) / 1e9, lost, rescued);
            s.end = end;
            if (s.closeTimer != null) {
                // Otherwise the pending timer would hold the session for finalize.timeout.
                s.closeTimer.cancel(false);
                s.closeTimer = null;
            }
            reportsInFlight.incrementAndGet();
        }
        table.remove(s);
        for (SessionListener l : listeners) {
            try {
                l.ended(s, end);
            } catch (Throwable t) {
                InternalErrors.record(InternalErrors.Kind.RUNTIME, "session listener", t);
            }
        }
        synchronized (s) {
            s.reported = true; // the shutdown hook waits for this, so the JVM halts after the log line
            s.notifyAll();
        }
        synchronized (reportsInFlight) {
            reportsInFlight.decrementAndGet();
            reportsInFlight.notifyAll();
        }
    }

    // ---- JVM shutdown -----------------------------------------------------------------------

    /** Flushes and closes every open session within {@code shutdown.timeout}; the rest end as jvm_shutdown. */
    public void shutdown() {
        long timeoutMillis = config.millis(ConfigKey.SHUTDOWN_TIMEOUT);
        // Real time, not the session clock: this bounds how long the JVM's exit waits.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        List<Session> open = table.sessions();
        for (Session s : open) {
            synchronized (s) {
                s.shutdown = true;
            }
        }
        if (active()) {
            // A session still in its handshake is not waited for: it has nothing to flush and
            // would only hold the exit until the deadline.
            List<Session> closing = new ArrayList<>();
            for (Session s : open) {
                Object socket = s.socket();
                if (socket == null) {
                    continue;
                }
                boolean flush;
                synchronized (s) {
                    if (s.state == Session.State.CONNECTING) {
                        continue;
                    }
                    closing.add(s);
                    flush = s.state == Session.State.OPEN && s.endpoint == DeepgramEndpoints.Endpoint.LISTEN_V1
                            && flushMessage != null && s.hasUnflushedAudio() && !s.flushOutstanding;
                    if (s.state == Session.State.OPEN) {
                        s.appCloseRequested = true;
                        s.appCloseCode = 1001;
                        s.appCloseReason = "JVM shutdown";
                        deferClose(s, flush, clock.getAsLong());
                        s.deferred = flush;
                    }
                }
                if (flush && write(s, socket, flushMessage)) {
                    notifyInjected(s, flushType());
                } else {
                    performClose(s);
                }
            }
            // Close whatever has not been answered by half the budget, then wait for the ends.
            awaitEnds(closing, deadline - (deadline - System.nanoTime()) / 2);
            for (Session s : closing) {
                performClose(s);
            }
            awaitEnds(closing, deadline);
        }
        for (Session s : open) {
            end(s, EndEvent.shutdown());
        }
        // Ends reported concurrently by library threads (a failure racing the app's exit) finish logging first.
        synchronized (reportsInFlight) {
            while (reportsInFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(reportsInFlight, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        scheduler.shutdownNow();
    }

    private void awaitEnds(List<Session> sessions, long deadlineNanos) {
        for (Session s : sessions) {
            synchronized (s) {
                while (!s.reported) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        return;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(s, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }
}
