package dev.deepgramagent.core.session;

import dev.deepgramagent.config.AgentConfig;
import dev.deepgramagent.config.ConfigKey;
import dev.deepgramagent.core.DeepgramEndpoints;
import dev.deepgramagent.core.diagnostics.AudioPreflight;
import dev.deepgramagent.core.diagnostics.SessionWarning;
import dev.deepgramagent.core.diagnostics.SettingsLint;
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
import java.util.function.Supplier;

/**
 * The library-agnostic core. Adapters report socket events; the engine tracks each Deepgram
 * session, decides what to inject (Finalize before a close, KeepAlive in idle gaps), performs the
 * deferred close, and gives every end one root cause. It writes to sockets only through a
 * {@link SocketControl}, only in active mode and only while no internal error has happened.
 */
public final class SessionEngine {

    static final String KEEPALIVE = "{\"type\":\"KeepAlive\"}";
    /** An Error frame explains a close that follows within this time; Deepgram sends both at once. */
    static final long ERROR_EXPLAINS_CLOSE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final AgentConfig config;
    private final DeepgramEndpoints endpoints;
    private final SessionTable<Session> table = new SessionTable<>();
    private final Map<String, ControlSlot> controls = new ConcurrentHashMap<>();
    private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
    private final LongSupplier clock;
    /** Timestamps on the audio send path: the coarse clock in production (see CoarseClock). */
    private final LongSupplier sendClock;
    private final ScheduledExecutorService scheduler;
    private final long keepAliveNanos;
    private final long finalizeTimeoutMillis;
    /** While results keep coming, a deferred close waits up to this many finalize timeouts after its flush. */
    static final int DEFERRAL_CAP_TIMEOUTS = 5;
    /** RFC 6455: a close frame without a status code. */
    static final int NO_STATUS_RECEIVED = 1005;
    /** The flush before a v1 close (finalize.mode); null when off, which also turns Flux's ForceEndTurn off. */
    private final Session.Flush v1Flush;
    private final long fluxPingMillis;
    /** Deepgram's idle window (server.idle.window): a longer pause of the app that the session survived was saved by KeepAlive. */
    private final long idleWindowNanos;
    private final Reconnects reconnects = new Reconnects();
    /** Ends whose listeners (log, metrics) are still running: the shutdown hook waits for them. */
    private final java.util.concurrent.atomic.AtomicInteger reportsInFlight = new java.util.concurrent.atomic.AtomicInteger();

    public SessionEngine(AgentConfig config) {
        this(config, CoarseClock.SYSTEM, new CoarseClock(CoarseClock.SYSTEM), newScheduler());
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
        this.v1Flush = mode.equals("off") ? null : mode.equals("closestream") ? Session.Flush.CLOSESTREAM : Session.Flush.FINALIZE;
        this.fluxPingMillis = config.millis(ConfigKey.FLUX_PING_INTERVAL);
        this.idleWindowNanos = TimeUnit.MILLISECONDS.toNanos(config.millis(ConfigKey.SERVER_IDLE_WINDOW));
        if (keepAliveNanos > 0 || fluxPingMillis > 0) {
            long tick = keepAliveNanos > 0 ? Math.max(50, Math.min(500, config.millis(ConfigKey.KEEPALIVE_INTERVAL) / 4)) : 500;
            scheduler.scheduleWithFixedDelay(new Periodic(this, Periodic.KEEPALIVE), tick, tick, TimeUnit.MILLISECONDS);
        }
        scheduler.scheduleWithFixedDelay(new Periodic(this, Periodic.SWEEP), 10, 10, TimeUnit.SECONDS);
    }

    private static ScheduledExecutorService newScheduler() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, new SchedulerThread());
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    // Named classes rather than lambdas on the engine's start: see CoarseClock.SYSTEM.
    private static final class SchedulerThread implements java.util.concurrent.ThreadFactory {
        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "deepgram-agent-scheduler");
            t.setDaemon(true);
            return t;
        }
    }

    /** The engine's own periodic work, and anyone's through every(): failures are counted, never thrown. */
    private static final class Periodic implements Runnable {
        static final int KEEPALIVE = 0;
        static final int SWEEP = 1;
        static final int TASK = 2;
        private final SessionEngine engine;
        private final int kind;
        private final Runnable task;

        Periodic(SessionEngine engine, int kind) {
            this(engine, kind, null);
        }

        Periodic(SessionEngine engine, int kind, Runnable task) {
            this.engine = engine;
            this.kind = kind;
            this.task = task;
        }

        @Override
        public void run() {
            if (kind == KEEPALIVE) {
                engine.keepAliveTick();
            } else if (kind == SWEEP) {
                engine.sweepOrphans();
            } else {
                try {
                    task.run();
                } catch (Throwable t) {
                    InternalErrors.record(InternalErrors.Kind.RUNTIME, "scheduled task", t);
                }
            }
        }
    }

    /** Runs {@code task} every {@code periodMillis} on the agent's scheduler thread; its failures are counted, never thrown. */
    public void every(long periodMillis, Runnable task) {
        scheduler.scheduleWithFixedDelay(new Periodic(this, Periodic.TASK, task), periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    public void register(String library, SocketControl control) {
        controls.put(library, new ControlSlot(library, control, null));
    }

    /**
     * The control is created at the library's first session: one never used costs the app's start nothing.
     * A factory that fails (a library version without a method it looks up, say) is called once: the
     * failure is counted as a start-up error, and that library's sockets stay untracked, as if it were not
     * instrumented; the other libraries are unaffected.
     */
    public void register(String library, Supplier<? extends SocketControl> factory) {
        controls.put(library, new ControlSlot(library, null, factory));
    }

    private static final class ControlSlot {
        private final String library;
        private final Supplier<? extends SocketControl> factory;
        private volatile SocketControl control;
        private volatile boolean failed;

        ControlSlot(String library, SocketControl control, Supplier<? extends SocketControl> factory) {
            this.library = library;
            this.control = control;
            this.factory = factory;
        }

        /** The control, or null when its factory failed. */
        SocketControl get() {
            SocketControl c = control;
            if (c == null && !failed) {
                synchronized (this) {
                    c = control;
                    if (c == null && !failed) {
                        try {
                            c = factory.get();
                        } catch (Throwable t) {
                            c = null;
                            InternalErrors.record(InternalErrors.Kind.STARTUP, library + " control", t);
                        }
                        if (c == null) {
                            failed = true;
                        }
                        control = c;
                    }
                }
            }
            return c;
        }
    }

    /** The library's control, or null for a library never registered. */
    private SocketControl control(String library) {
        ControlSlot slot = controls.get(library);
        return slot == null ? null : slot.get();
    }

    public void addListener(SessionListener listener) {
        listeners.add(listener);
    }

    /** Whether the agent may write to sockets now. */
    boolean active() {
        return config.mode() == AgentConfig.Mode.ACTIVE && !InternalErrors.degraded();
    }

    /** Whether the current thread writes for the agent: its own calls pass the advice untouched. */
    static boolean injecting() {
        return AgentWrites.active();
    }

    /** Whether this socket is a session the engine tracks now (one lookup). */
    public boolean tracked(Object socket) {
        return socket != null && table.get(socket) != null;
    }

    public int openSessions() {
        return table.size();
    }

    // ---- adoption after an attach -----------------------------------------------------------

    /** Attached to a running JVM: sockets opened before the agent are adopted at their next event. */
    private volatile boolean adopting;
    /**
     * Sockets met while adopting that are not to be adopted: not Deepgram sessions (described once,
     * then skipped with one lookup), and sessions that ended (whose late events must not start a new one).
     */
    private final SessionTable<Boolean> notAdoptable = new SessionTable<>();
    private final Object adoptLock = new Object();
    private final java.util.concurrent.atomic.AtomicLong adoptedCount = new java.util.concurrent.atomic.AtomicLong();

    /** From now on, an event on a socket the agent has not seen created may adopt it (see {@link #adoptable}). */
    public void adoptOpenSockets() {
        adopting = true;
    }

    public long adoptedSessions() {
        return adoptedCount.get();
    }

    /** The socket's session, or one adopted now, or null. */
    private Session lookup(Object socket) {
        Session s = table.get(socket);
        return s != null || !adopting ? s : adoptable(socket);
    }

    /**
     * An app's event on a socket the agent does not track. While adopting, a Deepgram socket of an
     * instrumented library becomes a session now, open, with its audio counted from here; anything
     * else is remembered as not Deepgram. Costs one more lookup on untracked sockets, only after an attach.
     * Callers check {@code adopting} first (see {@link #lookup}): this method adopts whenever it is called.
     */
    private Session adoptable(Object socket) {
        if (socket == null || notAdoptable.get(socket) != null) {
            return null;
        }
        return adopt(socket);
    }

    private Session adopt(Object socket) {
        Session s;
        synchronized (adoptLock) {
            Session known = table.get(socket);
            if (known != null || notAdoptable.get(socket) != null) {
                return known;
            }
            s = null;
            for (Map.Entry<String, ControlSlot> e : controls.entrySet()) {
                String[] description;
                try {
                    SocketControl control = e.getValue().get();
                    description = control == null ? null : control.describe(socket);
                } catch (Throwable t) {
                    InternalErrors.record(InternalErrors.Kind.DIAGNOSTIC, e.getKey() + " adoption", t);
                    description = null;
                }
                if (description == null) {
                    continue;
                }
                DeepgramEndpoints.Endpoint endpoint = endpoints.classify(description[0]);
                if (endpoint != null) {
                    s = newSession(socket, e.getKey(), description[0], description[1], endpoint, clock.getAsLong());
                }
                break;
            }
            if (s == null) {
                notAdoptable.put(socket, Boolean.TRUE);
                return null;
            }
            synchronized (s) {
                s.adopted = true;
                s.preflightFramesLeft = 0; // mid-stream: the stream's first bytes went out before the agent
                s.state = Session.State.OPEN;
                s.openedNanos = s.createdNanos;
            }
            table.put(socket, s);
            controlOpened(s);
            adoptedCount.incrementAndGet();
            System.setProperty("deepgram.agent.adopted", Long.toString(adoptedCount.get())); // read by `attach`
        }
        for (SessionListener l : listeners) {
            try {
                l.opened(s);
                l.adopted(s);
            } catch (Throwable t) {
                InternalErrors.record(InternalErrors.Kind.RUNTIME, "session listener", t);
            }
        }
        return s;
    }



    public List<Session> sessions() {
        return table.sessions();
    }

    // ---- events from adapters ---------------------------------------------------------------

    /**
     * @param clientSessionId the request's {@code x-deepgram-session-id} header, or null
     * @return the new session, or null when the URL is not a Deepgram streaming endpoint.
     */
    public Session created(Object socket, String library, String url, String clientSessionId) {
        if (url == null) {
            // The library keeps the URL and headers where advice cannot easily read them: its adapter describes the socket.
            String[] description = describe(library, socket);
            if (description == null) {
                return null;
            }
            url = description[0];
            clientSessionId = description[1];
        }
        DeepgramEndpoints.Endpoint endpoint = endpoints.classify(url);
        if (endpoint == null) {
            if (adopting) {
                notAdoptable.put(socket, Boolean.TRUE); // seen from its creation: never a candidate for adoption
            }
            return null;
        }
        if (control(library) == null) {
            return null; // its control could not be made (counted once, see register): the library is not tracked
        }
        Session s = newSession(socket, library, url, clientSessionId, endpoint, clock.getAsLong());
        table.put(socket, s);
        armHandshakeDeadline(s);
        return s;
    }

    /** The adapter's {@code {url, sessionId}} for a socket, or null. */
    private String[] describe(String library, Object socket) {
        SocketControl control = control(library);
        if (control == null) {
            return null;
        }
        try {
            return control.describe(socket);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, library + " describe", t);
            return null;
        }
    }

    /**
     * {@code <library>.handshake.timeout}, for libraries whose handshake has no timeout of its own
     * (Netty's): a Deepgram socket still connecting after it is dropped, as {@code client_timeout}.
     * Like a library's own timeout, it applies in observe mode too.
     */
    private void armHandshakeDeadline(Session s) {
        long millis = libraryTimeoutMillis(s, "handshake.timeout");
        if (millis <= 0) {
            return;
        }
        synchronized (s) {
            if (s.state != Session.State.CONNECTING) {
                return;
            }
            try {
                s.handshakeDeadline = scheduler.schedule(() -> handshakeTimedOut(s, millis), millis, TimeUnit.MILLISECONDS);
            } catch (RuntimeException rejected) {
                // the scheduler is gone (JVM exit)
            }
        }
    }

    private void handshakeTimedOut(Session s, long millis) {
        try {
            synchronized (s) {
                if (s.state != Session.State.CONNECTING) {
                    return;
                }
                s.handshakeExpired = true; // an answer arriving from now on no longer opens the session
            }
            endAndAbort(s, new java.util.concurrent.TimeoutException("the WebSocket handshake took longer than " + millis + " ms"));
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, s.library + " handshake timeout", t);
        }
    }

    /** A client timeout of the agent's own ran out: the session ends with {@code error}, then the socket is dropped. */
    private void endAndAbort(Session s, Exception error) throws Exception {
        Object socket = s.socket();
        end(s, EndEvent.failure(error, 0));
        SocketControl control = s.control;
        if (socket != null && control != null) {
            AgentWrites.run(() -> {
                control.abort(socket, s.controlState);
                return null;
            });
        }
    }

    /** {@code <library>.<timeout>} in milliseconds; -1 when the library has no such key or it is "app". */
    private long libraryTimeoutMillis(Session s, String timeout) {
        ConfigKey key = ConfigKey.byKey(s.library + "." + timeout);
        return key == null ? -1 : config.millis(key);
    }

    /** A session for a Deepgram socket, not yet in the table: lint, reconnect chain, the coarse clock. */
    private Session newSession(Object socket, String library, String url, String clientSessionId,
                               DeepgramEndpoints.Endpoint endpoint, long now) {
        Session s = new Session(socket, library, endpoint, AudioFormat.fromUrl(url), now, clientSessionId, control(library));
        s.preflightFramesLeft = AudioPreflight.framesToInspect(s.format.encoding);
        try {
            for (SessionWarning.Finding f : SettingsLint.check(url, s.flux)) {
                warn(s, f);
            }
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.DIAGNOSTIC, "settings lint", t);
        }
        if (sendClock instanceof CoarseClock) {
            ((CoarseClock) sendClock).start(scheduler);
        }
        if (clientSessionId != null) {
            Reconnects.Previous previous = reconnects.take(clientSessionId, now);
            if (previous != null) {
                for (SessionListener l : listeners) {
                    try {
                        l.reconnected(s, previous.rootCause, previous.requestId);
                    } catch (Throwable t) {
                        InternalErrors.record(InternalErrors.Kind.RUNTIME, "session listener", t);
                    }
                }
            }
        }
        return s;
    }

    /** The library's socket object replaces its handshake's ({@code from}) from now on. */
    public void rekeyed(Object from, Object to) {
        Session s = table.rekey(from, to);
        if (s != null) {
            s.rekey(to);
        }
    }

    /**
     * The handshake completes through {@code outcome}: a failure that the library reports nowhere
     * else (no response: refused, timed out) ends the session. After success the handshake's
     * object no longer names the session, so this does nothing.
     */
    public void handshakeStarted(Object socket, java.util.concurrent.CompletionStage<?> outcome) {
        if (table.get(socket) == null) {
            return;
        }
        outcome.whenComplete((result, error) -> {
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                failed(socket, cause, 0, null);
            }
        });
    }

    public void opened(Object socket, String requestId) {
        Session s = table.get(socket);
        if (s == null) {
            return;
        }
        synchronized (s) {
            if (s.handshakeExpired) {
                return; // the handshake deadline ends it (and drops the socket)
            }
            s.openedNanos = clock.getAsLong();
            s.lastSendNanos = s.openedNanos;
            s.requestId = requestId;
            if (s.state == Session.State.CONNECTING) {
                s.state = Session.State.OPEN;
            }
            if (s.handshakeDeadline != null) {
                s.handshakeDeadline.cancel(false);
                s.handshakeDeadline = null;
            }
        }
        controlOpened(s);
        for (SessionListener l : listeners) {
            l.opened(s);
        }
    }

    /** Tells the session's adapter that the agent tracks its socket from now on. */
    private void controlOpened(Session s) {
        SocketControl control = s.control;
        if (control == null) {
            return;
        }
        try {
            control.opened(s.socket(), s.controlState);
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, s.library + " open", t);
        }
    }

    /**
     * The audio send path. {@code payload} is the library's own buffer object, read only for the
     * preflight of a session's first frames (through {@link SocketControl#audioHead}).
     * @return true to drop the frame (the app already closed).
     */
    public boolean binarySent(Object socket, int bytes, Object payload) {
        return audioSent(socket, null, bytes, payload) == DROP_FRAME;
    }

    /** {@link #audioSent}'s answer for a frame to drop. */
    public static final Object DROP_FRAME = new Object();

    /**
     * {@link #binarySent} for libraries that report the send's outcome too ({@link #sendIssued}).
     * @param session what this method returned for the same socket before, or null: a lookup saved
     * @return null (not a tracked socket), {@link #DROP_FRAME}, or the session, to hand to {@link #sendIssued}
     *     or to pass back as {@code session}.
     */
    public Object audioSent(Object socket, Object session, int bytes, Object payload) {
        Session s;
        // A racy read of the state: a frame sent while its session ends may still be counted into it (too late
        // for its totals) or, after the app's close, dropped, where the lookup would have let it through to a
        // closed channel. Either way the frame fails or goes uncounted; a volatile read would cost every frame.
        if (!(session instanceof Session) || (s = (Session) session).state == Session.State.ENDED) {
            // lookup(socket) spelled out: in an app that never had a session, Session (in both methods'
            // signatures) is not loaded, and C2 does not inline a call whose signature names an unloaded
            // class; this way a socket that is not Deepgram's costs a lookup and a volatile read, no call.
            if ((s = table.get(socket)) == null && (!adopting || (s = adoptable(socket)) == null)) {
                return null;
            }
        }
        if (s.adapterReplaysSends && injecting()) {
            return null; // an app's send the adapter carries out again for the agent (see JdkControl): counted the first time
        }
        if (s.appCloseRequested) {
            return DROP_FRAME;
        }
        if (s.preflightFramesLeft > 0) {
            preflight(s, bytes, payload);
        }
        s.audioSent(bytes, sendClock.getAsLong());
        return s;
    }

    /** The first frames of a stream declared raw: container headers, WAV format, whole samples. */
    private void preflight(Session s, int bytes, Object payload) {
        // Plain int: two app threads sending at once may both get here; never let it go below 0.
        int left = s.preflightFramesLeft;
        if (left <= 0) {
            s.preflightFramesLeft = 0;
            return;
        }
        s.preflightFramesLeft = left - 1;
        try {
            List<SessionWarning.Finding> found = new ArrayList<>(2);
            if (left == AudioPreflight.FRAMES && payload != null) {
                SocketControl control = s.control;
                byte[] head = control == null ? null : control.audioHead(payload, AudioPreflight.HEAD_BYTES);
                if (head != null) {
                    // A payload may be the frame's backing array, longer than the frame: never past the frame's bytes.
                    found.addAll(AudioPreflight.inspectHead(head, Math.min(Math.min(head.length, bytes), AudioPreflight.HEAD_BYTES),
                            s.format.encoding, s.format.sampleRate, s.format.channels));
                }
            }
            if (found.isEmpty()) {
                SessionWarning.Finding partial = AudioPreflight.frameSize(bytes, s.format.encoding, s.format.channels);
                if (partial != null) {
                    found.add(partial);
                }
            }
            if (!found.isEmpty()) {
                s.preflightFramesLeft = 0; // one finding is enough: the stream is not what the URL says
                for (SessionWarning.Finding f : found) {
                    warn(s, f);
                }
            }
        } catch (Throwable t) {
            s.preflightFramesLeft = 0;
            // A check that only reports: it stops for this session, the agent goes on as before.
            InternalErrors.record(InternalErrors.Kind.DIAGNOSTIC, s.library + " audio preflight", t);
        }
    }

    /** Raises a warning once per session. */
    private void warn(Session s, SessionWarning.Finding f) {
        synchronized (s) {
            if ((s.warnings & f.warning.bit()) != 0) {
                return;
            }
            s.warnings |= f.warning.bit();
        }
        for (SessionListener l : listeners) {
            try {
                l.warning(s, f.warning, f.detail);
            } catch (Throwable t) {
                InternalErrors.record(InternalErrors.Kind.RUNTIME, "session listener", t);
            }
        }
    }

    /** {@link #textSent}'s answers; the same values as the bridge's (the engine cannot see the bridge's loader in tests). */
    public static final int SEND = 0;
    public static final int DROP = 1;
    public static final int HOLD = 2;

    /** The app sends a text frame. @return {@link #SEND}, {@link #DROP} or {@link #HOLD}. */
    public int textSent(Object socket, String text) {
        if (injecting()) {
            return SEND;
        }
        Session s = lookup(socket);
        if (s == null) {
            return SEND;
        }
        long now = clock.getAsLong();
        Session.Flush inject = null;
        boolean hold = false;
        synchronized (s) {
            if (s.appCloseRequested) {
                return DROP;
            }
            s.textSent(now);
            ServerMessage m = ServerMessage.parse(text);
            String type = m == null ? "" : String.valueOf(m.type);
            switch (type) {
                case "KeepAlive":
                    s.appKeepAlives++;
                    break;
                case "Finalize":
                    s.appFinalizes++;
                    if (!s.flux) {
                        s.flushSent(Session.Flush.FINALIZE, now);
                    }
                    break;
                case "ForceEndTurn":
                    if (s.flux) {
                        s.flushSent(Session.Flush.FORCE_END_TURN, now);
                    }
                    break;
                case "Configure":
                    s.configuresSent++;
                    break;
                case "CloseStream":
                    s.appCloseStreams++;
                    if (!s.flux) {
                        s.closeStreamSent = true;
                        s.flushSent(Session.Flush.CLOSESTREAM, now);
                        break;
                    }
                    // Flux's CloseStream does not finish the turn in progress: hold it, end the turn first.
                    if (s.state == Session.State.OPEN && flushFor(s) != null && active() && s.needsFlush()) {
                        hold = true;
                        s.heldCloseStream = true;
                        s.appCloseRequested = true;
                        inject = s.flushOutstanding ? null : flushFor(s);
                        deferClose(s, inject, now);
                    } else {
                        s.closeStreamSent = true;
                    }
                    break;
                default:
                    break;
            }
        }
        if (!hold) {
            return SEND;
        }
        startDeferral(s, inject);
        return HOLD;
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
        Session s = lookup(socket);
        if (s == null) {
            return false;
        }
        Session.Flush inject;
        boolean closesNow = false;
        try {
            synchronized (s) {
                if (s.appCloseCalled && !libraryAlreadyClosing && s.state == Session.State.DEFERRING_CLOSE
                        && (code == 1000 || code == 1001) && (reason == null || reason.length() <= 40) && active()) {
                    // A second close while the first waits for the flush (an app that also closes in a finally
                    // block, say): the same close, held with it. Let through, it would end the session
                    // before Deepgram's last results, the very loss the first deferral prevents.
                    return true;
                }
                if (s.appCloseCalled || libraryAlreadyClosing || s.state == Session.State.ENDED) {
                    return false;
                }
                s.appCloseCalled = true;
                s.appCloseRequested = true;
                s.appCloseCode = code;
                s.appCloseReason = reason;
                s.appCloseNanos = clock.getAsLong();
                boolean normal = (code == 1000 || code == 1001) && (reason == null || reason.length() <= 40);
                if (s.state == Session.State.DEFERRING_CLOSE && s.heldCloseStream) {
                    if (normal) {
                        return true; // the held CloseStream goes first, then this close (see performDeferred)
                    }
                    // Any other close goes now, through the library (which validates it): the hold is void.
                    s.heldCloseStream = false;
                    s.state = Session.State.CLOSING;
                    cancelTimer(s);
                    s.clientCloseSent = true;
                    closesNow = true;
                    return false;
                }
                boolean deferrable = normal
                        && (s.state == Session.State.OPEN || s.state == Session.State.CONNECTING)
                        && flushFor(s) != null && active();
                if (!deferrable || !s.needsFlush()) {
                    s.clientCloseSent = true;
                    closesNow = true;
                    return false;
                }
                inject = s.flushOutstanding ? null : flushFor(s);
                deferClose(s, inject, s.appCloseNanos);
            }
        } finally {
            if (closesNow) {
                armCloseTimeout(s); // the library closes as soon as this returns
            }
        }
        startDeferral(s, inject);
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

    /** Longest text message assembled from parts; Deepgram's messages are a few KiB. */
    static final int MAX_TEXT_CHARS = 1 << 20;

    /** A part of a text message: parts are joined until the last one. */
    public void textPartReceived(Object socket, CharSequence part, boolean last) {
        Session s = lookup(socket);
        if (s == null) {
            return;
        }
        String whole;
        synchronized (s) {
            if (s.partialText == null) {
                if (last) {
                    whole = part.toString();
                } else {
                    s.partialText = new StringBuilder(part);
                    return;
                }
            } else {
                if (s.partialText.length() + part.length() <= MAX_TEXT_CHARS) {
                    s.partialText.append(part);
                } else {
                    s.partialText.setLength(0); // too long to be Deepgram's: skipped whole
                    s.partialText.append('\0');
                }
                if (!last) {
                    return;
                }
                whole = s.partialText.toString();
                s.partialText = null;
            }
        }
        if (!whole.startsWith("\0")) {
            textReceived(socket, whole);
        }
    }

    /**
     * The app's send returned {@code result} (libraries whose sends answer with a future);
     * {@code token} is {@link #audioSent}'s session, or null to look the socket up.
     */
    public Object sendIssued(Object socket, Object token, Object result, Object message, int kind, boolean last) {
        Session s = token instanceof Session ? (Session) token : table.get(socket);
        if (s == null || injecting()) {
            return result;
        }
        if (kind == SocketControl.SENT_PING || kind == SocketControl.SENT_PONG) {
            synchronized (s) {
                s.lastPingNanos = clock.getAsLong(); // the app pings this socket itself: the agent's pings wait
            }
        }
        SocketControl control = s.control;
        return control == null ? result : control.sendIssued(socket, s.controlState, result, message, kind, last);
    }

    /** What the app's deferred close returns, for libraries whose close answers with a future. */
    /** See {@link SocketControl#closeIssued}: only tracked sockets, and only in active mode, get the wrapper. */
    public Object closeIssued(Object socket, int code, String reason, Object frame, Object appResult) {
        Session s = table.get(socket);
        if (s == null || !active()) {
            return appResult;
        }
        SocketControl control = s.control;
        return control == null ? appResult : control.closeIssued(socket, s.controlState, code, reason, frame, appResult);
    }

    public Object deferredCloseResult(Object socket) {
        Session s = table.get(socket);
        SocketControl control = s == null ? null : s.control;
        return control == null ? null : control.deferredCloseResult(socket, s.controlState);
    }

    public void textReceived(Object socket, String text) {
        Session s = lookup(socket);
        if (s == null) {
            return;
        }
        ServerMessage m = ServerMessage.parse(text);
        if (m == null) {
            return;
        }
        boolean closeNow = false;
        double latency = -1;
        String errorLabel = null;
        int configure = 0; // 1 success, -1 failure
        long now = clock.getAsLong();
        synchronized (s) {
            if ("Error".equals(m.type)) {
                errorLabel = ErrorFrames.label(m.variant);
                s.pendingErrorVariant = m.variant == null ? "" : m.variant;
                s.pendingErrorCode = m.code;
                s.pendingErrorNanos = now;
                s.lastErrorLabel = errorLabel;
            } else {
                s.pendingErrorVariant = null; // the stream went on: that Error does not explain a later close
                s.pendingErrorCode = null;
            }
            double coveredBefore = s.coveredUntil;
            if (m.isResults() && m.isFinal) {
                s.finalResults++;
                s.coveredUntil = Math.max(s.coveredUntil, m.start + m.duration);
            } else if (m.isMetadata()) {
                s.metadataSeen = true;
            } else if ("TurnInfo".equals(m.type) && s.flux) {
                turnInfo(s, m);
            } else if ("ConfigureSuccess".equals(m.type)) {
                s.configureSuccesses++;
                configure = 1;
            } else if ("ConfigureFailure".equals(m.type)) {
                s.configureFailures++;
                configure = -1;
            }
            if (s.flushOutstanding && answersFlush(s, m)) {
                if (s.flushKind == Session.Flush.FORCE_END_TURN && "Warning".equals(m.type)) {
                    // No turn was open when Flux processed the ForceEndTurn: the audio before it belongs to no turn.
                    s.coveredUntil = Math.max(s.coveredUntil, s.flushAudioSeconds);
                    s.bytesAtLastFlush = Math.max(s.bytesAtLastFlush, s.audioBytes());
                }
                s.flushOutstanding = false;
                s.lastFlushLatencyNanos = now - s.flushSentNanos;
                latency = s.lastFlushLatencyNanos / 1e9;
                closeNow = s.state == Session.State.DEFERRING_CLOSE;
            } else if (s.coveredUntil > coveredBefore && s.flushOutstanding && s.state == Session.State.DEFERRING_CLOSE) {
                extendDeferral(s, now);
            }
        }
        if (closeNow) {
            SocketControl control = s.control;
            if (control != null && control.closesAfterDelivery()) {
                synchronized (s) {
                    s.closeAfterDelivery = true; // messageDelivered performs it
                }
            } else {
                performDeferred(s); // first: a listener's failure must not hold the app's close
            }
        }
        for (SessionListener l : listeners) {
            try {
                if (errorLabel != null) {
                    l.errorReceived(s, errorLabel);
                }
                if (configure != 0) {
                    l.configureAnswered(s, configure > 0);
                }
                if (latency >= 0) {
                    l.flushAnswered(s, latency);
                }
            } catch (Throwable t) {
                InternalErrors.record(InternalErrors.Kind.RUNTIME, "session listener", t);
            }
        }
    }

    /**
     * The library handed the last received message to the app ({@link SocketControl#closesAfterDelivery}):
     * a deferred close that message allowed goes now. The finalize timeout still bounds it, should the
     * app's handler hold the library's thread.
     */
    public void messageDelivered(Object socket) {
        Session s = socket == null ? null : table.get(socket);
        if (s == null) {
            return;
        }
        boolean close;
        synchronized (s) {
            close = s.closeAfterDelivery;
            s.closeAfterDelivery = false;
        }
        if (close) {
            performDeferred(s);
        }
    }

    /** Flux coverage: ended turns, and updates while no turn is open (silence the server has processed). Lock held. */
    private static void turnInfo(Session s, ServerMessage m) {
        String event = m.event == null ? "" : m.event;
        switch (event) {
            case "StartOfTurn":
                s.turnActive = true;
                if (m.windowStart >= 0) {
                    // An update may have covered the start of this turn before the model called it a turn.
                    s.coveredUntil = Math.max(s.lastTurnEnd, Math.min(s.coveredUntil, m.windowStart));
                }
                break;
            case "TurnResumed":
                s.turnActive = true;
                break;
            case "EndOfTurn":
                s.turnActive = false;
                s.finalResults++;
                if (s.format.knowsDuration() && m.windowEnd >= 0) {
                    // Audio after the turn's window (which may start the next turn) stays unflushed.
                    long covered = (long) (m.windowEnd * s.format.bytesPerSecond);
                    s.bytesAtLastFlush = Math.max(s.bytesAtLastFlush, Math.min(covered, s.audioBytes()));
                }
                if (m.windowEnd >= 0) {
                    if (s.state == Session.State.DEFERRING_CLOSE && s.deferred) {
                        // Without the deferral the app's close would have dropped this whole turn.
                        double from = m.windowStart >= 0 ? m.windowStart : s.lastTurnEnd;
                        s.fluxRescuedSeconds += Math.max(0, m.windowEnd - Math.max(from, s.lastTurnEnd));
                    }
                    s.coveredUntil = Math.max(s.coveredUntil, m.windowEnd);
                    s.lastTurnEnd = Math.max(s.lastTurnEnd, m.windowEnd);
                }
                break;
            case "Update":
                if (!s.turnActive && m.windowEnd >= 0) {
                    // Processed and found no turn: that audio needs no ForceEndTurn either.
                    s.coveredUntil = Math.max(s.coveredUntil, m.windowEnd);
                    if (s.format.knowsDuration()) {
                        long covered = (long) (m.windowEnd * s.format.bytesPerSecond);
                        s.bytesAtLastFlush = Math.max(s.bytesAtLastFlush, Math.min(covered, s.audioBytes()));
                    }
                }
                break;
            default:
                break;
        }
    }

    /** Whether {@code m} answers the outstanding flush. Lock held. */
    private static boolean answersFlush(Session s, ServerMessage m) {
        switch (s.flushKind) {
            case FINALIZE:
                return m.isResults() && m.fromFinalize;
            case CLOSESTREAM:
                return m.isMetadata();
            case FORCE_END_TURN:
                if ("Warning".equals(m.type)) {
                    // Flux ignores ForceEndTurn with no active turn, with a Warning; any other Warning
                    // while a turn is known to be open is not the answer.
                    return !s.turnActive;
                }
                return m.isTurnEvent("EndOfTurn") && ("manual".equals(m.trigger)
                        || (s.format.knowsDuration() && m.windowEnd >= s.flushAudioSeconds - EndClassifier.LOST_EPSILON_SECONDS));
            default:
                return false;
        }
    }

    /** @param code the close frame's status; a library's "none" (Netty's -1) is RFC 6455's 1005, as Flux closes */
    public void closeReceived(Object socket, int code, String reason) {
        Session s = table.get(socket);
        if (s != null) {
            end(s, EndEvent.serverClose(code < 1000 ? NO_STATUS_RECEIVED : code, reason));
        }
    }

    /** @param serverMessage Deepgram's {@code dg-error} header of a rejected handshake, or null */
    public void failed(Object socket, Throwable error, int httpStatus, String serverMessage) {
        Session s = table.get(socket);
        if (s != null) {
            if (serverMessage != null) {
                synchronized (s) {
                    s.serverMessage = ErrorFrames.redactServerMessage(serverMessage);
                }
            }
            end(s, EndEvent.failure(error, httpStatus));
        }
    }

    /**
     * Client timeouts of Deepgram sockets only: {@code key} names the library's key (okhttp.ping.interval,
     * jdk.connect.timeout, ...); the socket is known ({@code socket}) or about to be created ({@code url}).
     * The library's own key wins; otherwise a Flux socket whose app sends no pings gets
     * {@code flux.ping.interval} (active mode).
     */
    public long tunedTimeout(Object socket, String url, String key, long appValue) {
        DeepgramEndpoints.Endpoint endpoint;
        if (socket != null) {
            Session s = table.get(socket);
            endpoint = s == null ? null : s.endpoint;
        } else {
            endpoint = endpoints.classify(url);
        }
        if (endpoint == null) {
            return appValue;
        }
        ConfigKey configKey = ConfigKey.byKey(key);
        if (configKey == null) {
            return appValue;
        }
        long configured = config.millis(configKey);
        if (configured >= 0) {
            return configured;
        }
        if (key.endsWith(".ping.interval") && endpoint == DeepgramEndpoints.Endpoint.LISTEN_V2 && appValue <= 0 && fluxPingMillis > 0 && active()) {
            return fluxPingMillis;
        }
        return appValue;
    }

    // ---- agent actions ----------------------------------------------------------------------

    /** The flush the agent sends before a deferred close of this session, or null for none. */
    private Session.Flush flushFor(Session s) {
        if (v1Flush == null) {
            return null; // finalize.mode=off turns both protocols' flushes off
        }
        return s.flux ? Session.Flush.FORCE_END_TURN : v1Flush;
    }

    /** Enters DEFERRING_CLOSE; with {@code inject}, records the flush message the caller then sends. Lock held. */
    private void deferClose(Session s, Session.Flush inject, long now) {
        s.state = Session.State.DEFERRING_CLOSE;
        s.deferred = true;
        s.coveredAtDeferral = s.coveredUntil;
        if (inject != null) {
            s.flushSent(inject, now);
            switch (inject) {
                case CLOSESTREAM: s.injectedCloseStreams++; s.closeStreamSent = true; break;
                case FORCE_END_TURN: s.injectedForceEndTurns++; break;
                default: s.injectedFinalizes++; break;
            }
        }
    }

    /** After {@link #deferClose}: sends the flush (if any) and bounds the wait by finalize.timeout. */
    private void startDeferral(Session s, Session.Flush inject) {
        if (inject != null) {
            if (!write(s, s.socket(), inject.message)) {
                performDeferred(s);
                return;
            }
            notifyInjected(s, inject.label);
        }
        ScheduledFuture<?> timer;
        try {
            timer = scheduler.schedule(() -> performDeferred(s), finalizeTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (RuntimeException rejected) {
            performDeferred(s); // the scheduler is gone (JVM exit): nothing can bound the wait
            return;
        }
        synchronized (s) {
            if (s.state != Session.State.DEFERRING_CLOSE) {
                timer.cancel(false); // answered (or ended) before the timer was armed
            } else {
                s.closeTimer = timer;
            }
        }
    }

    /**
     * Deepgram is still answering audio sent before the flush (an app that queued a backlog, a
     * server catching up): the flush's answer is behind those results, so the wait restarts, up to
     * {@link #DEFERRAL_CAP_TIMEOUTS} finalize timeouts after the flush in all. Lock held.
     */
    private void extendDeferral(Session s, long now) {
        if (s.closeTimer == null || finalizeTimeoutMillis <= 0) {
            return;
        }
        long capNanos = TimeUnit.MILLISECONDS.toNanos(finalizeTimeoutMillis) * DEFERRAL_CAP_TIMEOUTS;
        long leftNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(finalizeTimeoutMillis), s.flushSentNanos + capNanos - now);
        if (leftNanos <= s.closeTimer.getDelay(TimeUnit.NANOSECONDS)) {
            return;
        }
        ScheduledFuture<?> timer;
        try {
            timer = scheduler.schedule(() -> performDeferred(s), leftNanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException rejected) {
            return; // the scheduler is gone (JVM exit): the armed timer or the shutdown ends the wait
        }
        s.closeTimer.cancel(false);
        s.closeTimer = timer;
    }

    /** Performs what the agent held back, once: the app's CloseStream (Flux), then the app's close. */
    private void performDeferred(Session s) {
        int code;
        String reason;
        boolean sendCloseStream;
        boolean close;
        synchronized (s) {
            if (s.state != Session.State.DEFERRING_CLOSE) {
                return;
            }
            s.state = Session.State.CLOSING;
            cancelTimer(s);
            sendCloseStream = s.heldCloseStream;
            s.heldCloseStream = false;
            if (sendCloseStream) {
                s.closeStreamSent = true;
            }
            close = s.appCloseCalled;
            if (close) {
                s.clientCloseSent = true;
            }
            code = s.appCloseCode;
            reason = s.appCloseReason;
        }
        Object socket = s.socket();
        SocketControl control = s.control;
        if (socket == null || control == null) {
            return;
        }
        if (sendCloseStream) {
            write(s, socket, Session.Flush.CLOSESTREAM.message);
        }
        if (close) {
            closeSocket(s, socket, control, code, reason);
        }
    }

    private void closeSocket(Session s, Object socket, SocketControl control, int code, String reason) {
        try {
            AgentWrites.run(() -> control.close(socket, s.controlState, code, reason));
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, s.library + " deferred close", t);
        }
        armCloseTimeout(s);
    }

    /**
     * For libraries that wait forever for the server's answer to a close (the JDK's): after
     * {@code <library>.close.timeout}, the session ends as close_timeout and the socket is aborted.
     */
    private void armCloseTimeout(Session s) {
        SocketControl control = s.control;
        // A client timeout like OkHttp's own close timeout: it applies in observe mode too.
        if (control == null || control.timesOutCloseOnItsOwn()) {
            return;
        }
        long millis = libraryTimeoutMillis(s, "close.timeout");
        if (millis <= 0) {
            return; // "app": the library's own behaviour
        }
        synchronized (s) {
            if (s.state == Session.State.ENDED || s.closeTimeout != null) {
                return;
            }
            try {
                s.closeTimeout = scheduler.schedule(() -> closeTimedOut(s, millis), millis, TimeUnit.MILLISECONDS);
            } catch (RuntimeException rejected) {
                // the scheduler is gone (JVM exit): the shutdown ends the session
            }
        }
    }

    private void closeTimedOut(Session s, long millis) {
        try {
            endAndAbort(s, new java.net.SocketTimeoutException("the server did not answer the close within " + millis + " ms"));
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, s.library + " close timeout", t);
        }
    }

    /** Lock held. */
    private static void cancelTimer(Session s) {
        if (s.closeTimer != null) {
            s.closeTimer.cancel(false);
            s.closeTimer = null;
        }
    }

    private boolean write(Session s, Object socket, String text) {
        SocketControl control = s.control;
        if (socket == null || control == null) {
            return false;
        }
        try {
            boolean ok = AgentWrites.run(() -> control.sendText(socket, s.controlState, text));
            if (ok) {
                synchronized (s) {
                    s.agentSent(clock.getAsLong());
                }
            }
            return ok;
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, s.library + " send", t);
            return false;
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
                    if (idleWindowNanos > 0 && s.lastAgentSendNanos > s.lastSendNanos && now - s.lastSendNanos >= idleWindowNanos
                            && s.state == Session.State.OPEN) {
                        s.carriedByKeepAlive = true; // the app is silent past Deepgram's window and our KeepAlives hold it open
                    }
                    // KeepAlive is a v1 message: Flux sockets are kept alive by WebSocket pings.
                    send = keepAliveNanos > 0 && !s.flux && s.state == Session.State.OPEN
                            && now - Math.max(s.lastSendNanos, s.lastAgentSendNanos) >= keepAliveNanos;
                    if (send) {
                        s.injectedKeepAlives++;
                    }
                }
                if (send && write(s, s.socket(), KEEPALIVE)) {
                    notifyInjected(s, "keepalive");
                }
                if (s.flux) {
                    fluxPing(s, now);
                }
            }
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "keepalive", t);
        }
    }

    /**
     * Flux sockets of libraries that do not ping on their own (the JDK's): a WebSocket ping when
     * neither the app nor the agent sent anything for {@code flux.ping.interval}.
     */
    private void fluxPing(Session s, long now) {
        SocketControl control = s.control;
        if (fluxPingMillis <= 0 || control == null || control.pingsOnItsOwn()) {
            return;
        }
        synchronized (s) {
            long last = Math.max(Math.max(s.lastSendNanos, s.lastAgentSendNanos), s.lastPingNanos);
            if (s.state != Session.State.OPEN || now - last < TimeUnit.MILLISECONDS.toNanos(fluxPingMillis)) {
                return;
            }
            s.lastPingNanos = now;
        }
        Object socket = s.socket();
        if (socket == null) {
            return;
        }
        try {
            AgentWrites.run(() -> control.sendPing(socket, s.controlState));
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, s.library + " ping", t);
        }
    }

    /** Sessions whose socket the app dropped without the library ever reporting an end: unknown. */
    void sweepOrphans() {
        try {
            for (Session s : table.sweepOrphans()) {
                end(s, EndEvent.orphaned());
            }
            reconnects.expire(clock.getAsLong());
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.RUNTIME, "sweep", t);
        }
    }

    private void notifyInjected(Session s, String type) {
        for (SessionListener l : listeners) {
            try {
                l.injected(s, type);
            } catch (Throwable t) {
                InternalErrors.record(InternalErrors.Kind.RUNTIME, "session listener", t);
            }
        }
    }

    private void end(Session s, EndEvent event) {
        SessionEnd end;
        boolean closeStillDeferred;
        synchronized (s) {
            if (s.state == Session.State.ENDED) {
                return;
            }
            boolean wasDeferring = s.state == Session.State.DEFERRING_CLOSE;
            s.state = Session.State.ENDED;
            long now = clock.getAsLong();
            if (s.pendingErrorVariant != null && now - s.pendingErrorNanos > ERROR_EXPLAINS_CLOSE_NANOS) {
                s.pendingErrorVariant = null; // too old to explain this end
                s.pendingErrorCode = null;
            }
            // An adopted session's results count from the stream's start, its audio from the adoption: no seconds to compare.
            double lost = s.format.knowsDuration() && !s.adopted ? Math.max(0, s.audioSeconds() - s.coveredUntil) : 0;
            double rescued;
            if (s.flux) {
                rescued = s.fluxRescuedSeconds; // in the server's own audio windows: known without the format
            } else {
                // In Deepgram's own result timing (start + duration): known even without sample_rate.
                rescued = s.deferred && s.coveredAtDeferral >= 0 ? Math.max(0, s.coveredUntil - s.coveredAtDeferral) : 0;
            }
            RootCause cause = EndClassifier.classify(s, event, lost);
            int savedBy = savedBy(s, cause, rescued);
            String reason = event.closeReason;
            if (reason != null && reason.length() > 40) {
                reason = reason.substring(0, 40);
            }
            end = new SessionEnd(cause, s, event.closeCode, reason, event.httpStatus,
                    event.error == null ? null : event.error.getClass().getName(),
                    (now - s.createdNanos) / 1e9, lost, rescued, savedBy, s.longestAppGapNanos(now) / 1e9);
            s.end = end;
            if (s.clientSessionId != null && !s.appCloseCalled && Reconnects.prompts(cause)) {
                reconnects.remember(s.clientSessionId, cause, s.requestId, now);
            }
            if (s.closeTimer != null) {
                // Otherwise the pending timer would hold the session for finalize.timeout.
                s.closeTimer.cancel(false);
                s.closeTimer = null;
            }
            if (s.closeTimeout != null) {
                s.closeTimeout.cancel(false);
                s.closeTimeout = null;
            }
            if (s.handshakeDeadline != null) {
                s.handshakeDeadline.cancel(false);
                s.handshakeDeadline = null;
            }
            // The app's close was still deferred: it is carried out all the same (the library
            // answers it as after any end, and completes what it returned to the app).
            closeStillDeferred = wasDeferring && s.appCloseCalled && event.kind != EndEvent.Kind.ORPHANED;
            reportsInFlight.incrementAndGet();
        }
        table.remove(s);
        if (adopting) {
            Object ended = s.socket();
            if (ended != null) {
                notAdoptable.put(ended, Boolean.TRUE); // the app's close reply after the server's close, say
            }
        }
        if (closeStillDeferred) {
            Object socket = s.socket();
            SocketControl control = s.control;
            if (socket != null && control != null) {
                closeSocket(s, socket, control, s.appCloseCode, s.appCloseReason);
            }
        }
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

    /**
     * What the agent's own writes saved in this session (bits of {@link SessionEnd#SAVED_BY}): its
     * flush delivered results the app's close would have dropped; its KeepAlives carried the app
     * through a pause longer than Deepgram's idle window; its ForceEndTurn delivered a Flux turn. Lock held.
     */
    private int savedBy(Session s, RootCause cause, double rescued) {
        if (cause != RootCause.CLEAN) {
            return 0; // a session that ended badly was not saved, whatever the agent did on the way
        }
        int by = 0;
        // The deferral is the agent's, whether it sent the flush or waited for the app's own.
        if (rescued > 0 && s.deferred) {
            by |= s.flux ? SessionEnd.SAVED_BY_FORCE_END_TURN : SessionEnd.SAVED_BY_FINALIZE;
        }
        if (s.carriedByKeepAlive) {
            by |= SessionEnd.SAVED_BY_KEEPALIVE;
        }
        return by;
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
                Session.Flush flush = null;
                synchronized (s) {
                    if (s.state == Session.State.CONNECTING) {
                        continue;
                    }
                    closing.add(s);
                    if (!s.appCloseCalled && (s.state == Session.State.OPEN || s.state == Session.State.DEFERRING_CLOSE)) {
                        // A held Flux CloseStream is followed by this close once its turn has ended.
                        s.appCloseCalled = true;
                        s.appCloseCode = 1001;
                        s.appCloseReason = "JVM shutdown";
                    }
                    if (s.state == Session.State.OPEN) {
                        s.appCloseRequested = true;
                        boolean unflushed = s.flux ? s.needsFlush() && !s.flushOutstanding : s.hasUnflushedAudio() && !s.flushOutstanding;
                        flush = unflushed ? flushFor(s) : null;
                        deferClose(s, flush, clock.getAsLong());
                        s.deferred = flush != null;
                    }
                }
                if (flush != null && write(s, socket, flush.message)) {
                    notifyInjected(s, flush.label);
                } else if (flush != null || !stillDeferring(s)) {
                    performDeferred(s);
                }
            }
            // Close whatever has not been answered by half the budget, then wait for the ends.
            awaitEnds(closing, deadline - (deadline - System.nanoTime()) / 2);
            for (Session s : closing) {
                performDeferred(s);
                closeIfNobodyDid(s);
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

    /** Shutdown: a session closing without a close frame of ours (a released Flux CloseStream) gets one. */
    private void closeIfNobodyDid(Session s) {
        synchronized (s) {
            if (s.state != Session.State.CLOSING || s.clientCloseSent) {
                return;
            }
            s.clientCloseSent = true;
        }
        Object socket = s.socket();
        SocketControl control = s.control;
        if (socket != null && control != null) {
            closeSocket(s, socket, control, 1001, "JVM shutdown");
        }
    }

    /** A flush (the app's or the agent's) is still unanswered: its close waits for it. */
    private static boolean stillDeferring(Session s) {
        synchronized (s) {
            return s.state == Session.State.DEFERRING_CLOSE && s.flushOutstanding;
        }
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
