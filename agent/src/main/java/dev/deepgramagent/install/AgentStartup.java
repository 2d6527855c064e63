package dev.deepgramagent.install;

import dev.deepgramagent.bridge.Bridge;
import dev.deepgramagent.config.AgentConfig;
import dev.deepgramagent.config.ConfigKey;
import dev.deepgramagent.core.AgentCore;
import dev.deepgramagent.core.session.SocketControl;
import dev.deepgramagent.errors.InternalErrors;
import dev.deepgramagent.instrumentation.jdk.JdkWebSocketInstrumentation;
import dev.deepgramagent.instrumentation.jakarta.JakartaInstrumentation;
import dev.deepgramagent.instrumentation.javawebsocket.JavaWebSocketInstrumentation;
import dev.deepgramagent.instrumentation.jetty.JettyInstrumentation;
import dev.deepgramagent.instrumentation.netty.NettyInstrumentation;
import dev.deepgramagent.instrumentation.nv.NvWebSocketInstrumentation;
import dev.deepgramagent.instrumentation.okhttp.OkHttpInstrumentation;
import dev.deepgramagent.logging.AgentLogging;
import dev.deepgramagent.metrics.AgentMetrics;
import dev.deepgramagent.metrics.MetricsServer;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/** The agent's start on its background thread: logging, the core, Byte Buddy, retransformation. */
final class AgentStartup {

    /** Every instrumented library: the one place a new adapter is registered (its type names also go to InstrumentedTypes). */
    static final List<InstrumentationModule> MODULES = List.of(new OkHttpInstrumentation(), new JdkWebSocketInstrumentation(),
            new NettyInstrumentation(), new NvWebSocketInstrumentation(), new JavaWebSocketInstrumentation(),
            new JettyInstrumentation(), new JakartaInstrumentation());

    private static final String JDK_CLIENT_HINT = "java/net/http/HttpClient";
    /**
     * Classes a WebSocket client loads before its first handshake (plain Netty's handshaker factory,
     * reactor-netty's WebSocket spec, Vert.x's WebSocket client, nv-websocket's factory, Java-WebSocket's
     * drafts, Jetty's core client, Tyrus's client manager): the adapters' classes in that loader are woven from then on in the background, not on
     * an event loop or the app's thread at the first handshake.
     */
    private static final List<String> CLIENT_HINTS = List.of(
            "io/netty/handler/codec/http/websocketx/WebSocketClientHandshakerFactory",
            "reactor/netty/http/client/WebsocketClientSpec",
            "io/vertx/core/http/impl/WebSocketClientImpl",
            "com/neovisionaries/ws/client/WebSocketFactory",
            "org/java_websocket/drafts/Draft",
            "org/eclipse/jetty/websocket/core/client/WebSocketCoreClient",
            "org/glassfish/tyrus/client/ClientManager");

    private AgentStartup() {
    }

    static void start(AgentConfig config, Instrumentation inst, LazyTransformer gate, boolean attach) {
        try {
            AgentLogging.configure(config);
            HelperClasses.init(inst);
            List<InstrumentationModule> modules = availableModules();
            AgentCore core = new AgentCore(config);
            if (attach) {
                // Sockets the app opened before the agent arrived are tracked from their next event.
                core.engine().adoptOpenSockets();
            }
            List<String> libraries = new ArrayList<>();
            for (InstrumentationModule module : modules) {
                core.registerLibrary(module.library(), new ControlOf(module));
                libraries.add(module.library());
            }
            AgentMetrics metrics = registerMetrics(config, core, libraries);
            if (attach) {
                warmUpNow(core); // before the bridge: the first adoption may follow at once
            }
            Bridge.install(core);
            gate.coreReady(true, new PrewovenLog());
            settleWeaver(modules, gate, attach);
            retransformAlreadyLoaded(inst, gate);
            // After the gate: an app opening its first session at start-up need not wait for it.
            serveMetrics(config, core, metrics);
            AgentLogging.startLine("deepgram-agent " + AgentVersion.get() + " started" + (attach ? " (attached)" : "")
                    + ": mode=" + config.mode().name().toLowerCase(java.util.Locale.ROOT) + ", hosts=" + config.text(ConfigKey.HOSTS)
                    + ", instrumenting " + InstrumentedTypes.SUMMARY);
        } catch (Throwable t) {
            gate.settle(null);
            InternalErrors.record(InternalErrors.Kind.STARTUP, "background start", t);
        }
    }

    /*
     * The start path uses small named classes where lambdas would be natural: each lambda spins a
     * class through LambdaMetafactory at its first use, several times the cost of loading a class,
     * and all of it lands in the app's start-up.
     */

    /** Weaves ahead, in the background, at the first load of a class a client loads before its first handshake. */
    private static final class WarmUp implements java.util.function.Consumer<ClassLoader> {
        private final WeaverOnFirstUse lazy;
        private final Weaver weaver;
        private final boolean jdk;

        WarmUp(WeaverOnFirstUse lazy, Weaver weaver, boolean jdk) {
            this.lazy = lazy;
            this.weaver = weaver;
            this.jdk = jdk;
        }

        @Override
        public void accept(ClassLoader loader) {
            if (lazy != null) {
                lazy.warmUp(w -> prepare(w, loader));
            } else {
                Weaver.inBackground(() -> prepare(weaver, loader));
            }
        }

        private void prepare(Weaver w, ClassLoader loader) {
            if (jdk) {
                w.prepareJdkClasses();
            } else {
                w.prepare(loader);
            }
        }
    }

    /**
     * Logs, at debug, each class taken from the copies woven at build time. It runs on the thread
     * that loads the class: at the default level it asks nothing of logback.
     */
    private static final class PrewovenLog implements java.util.function.BiConsumer<String, Boolean> {
        @Override
        public void accept(String name, Boolean retransformed) {
            if (AgentLogging.debugEnabled()) {
                AgentLogging.logger("install").debug("instrumented {} ({}), woven at build time", name,
                        InstrumentedTypes.howInstrumented(retransformed));
            }
        }
    }

    /** Builds the metric families at the first tracked session (see AgentCore#warmUpAtFirstSession). */
    private static final class PrepareMetrics implements Runnable {
        private final AgentMetrics metrics;

        PrepareMetrics(AgentMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void run() {
            metrics.prepare();
        }
    }

    /** A module's control, created by the engine at the library's first session (a class, not a lambda: cheaper to start). */
    private static final class ControlOf implements java.util.function.Supplier<SocketControl> {
        private final InstrumentationModule module;

        ControlOf(InstrumentationModule module) {
            this.module = module;
        }

        @Override
        public SocketControl get() {
            return module.control();
        }
    }

    /**
     * Hands the gate what weaves classes that are not prewoven. On its own failure (Byte Buddy
     * cannot load, say) the gate lets classes load as they are, and the rest of the start, the
     * metrics among it, goes on: prewoven classes are still instrumented, at load and on attach.
     */
    private static void settleWeaver(List<InstrumentationModule> modules, LazyTransformer gate, boolean attach) {
        try {
            ClassLoader system = ClassLoader.getSystemClassLoader();
            if (!attach && allPrewoven(modules, system)) {
                // The app's copies were woven at build time: Byte Buddy loads only if another copy shows up
                // (another version, or a library whose classes come with the JDK, at its first use).
                WeaverOnFirstUse lazy = new WeaverOnFirstUse(modules);
                gate.settle(lazy);
                // An app that builds a java.net.http.HttpClient may open a JDK WebSocket next: weave its
                // classes in the background from then on, rather than on the app's thread at that first socket.
                gate.onFirstLoad(JDK_CLIENT_HINT, new WarmUp(lazy, null, true));
                WarmUp loaderWarmUp = new WarmUp(lazy, null, false);
                for (String hint : CLIENT_HINTS) {
                    gate.onFirstLoad(hint, loaderWarmUp);
                }
            } else {
                Weaver weaver = new Weaver(modules);
                if (!attach) {
                    weaver.prepare(system);
                    gate.onFirstLoad(JDK_CLIENT_HINT, new WarmUp(null, weaver, true));
                    WarmUp loaderWarmUp = new WarmUp(null, weaver, false);
                    for (String hint : CLIENT_HINTS) {
                        gate.onFirstLoad(hint, loaderWarmUp);
                    }
                }
                gate.settle(weaver);
            }
        } catch (Throwable t) {
            gate.settle(null);
            InternalErrors.record(InternalErrors.Kind.STARTUP, "weaver", t);
        }
    }

    /**
     * Whether every type woven at build time that the loader can see is one of the woven copies.
     * Types of libraries that come with the JDK are not considered: woven at their first use. A type
     * the loader cannot see (an app without OkHttp) needs nothing now: were it to appear in another
     * loader, the lazy weaver would weave it then. Counting it as "not prewoven" loaded Byte Buddy
     * at every such app's start, about 250 ms of CPU.
     */
    private static boolean allPrewoven(List<InstrumentationModule> modules, ClassLoader loader) {
        for (InstrumentationModule module : modules) {
            if (!module.prewovenAtBuild()) {
                continue;
            }
            for (String type : module.typeNames()) {
                String internalName = type.replace('.', '/');
                try (InputStream in = loader.getResourceAsStream(internalName + ".class")) {
                    if (in != null && Prewoven.lookup(internalName, in.readAllBytes()) == null) {
                        return false; // another version: woven ahead, on this thread, rather than at its first use
                    }
                } catch (IOException e) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The modules whose library can exist in this JVM; one that cannot is left out, not an error. */
    private static List<InstrumentationModule> availableModules() {
        List<InstrumentationModule> out = new ArrayList<>();
        for (InstrumentationModule module : MODULES) {
            try {
                if (module.available()) {
                    out.add(module);
                }
            } catch (Throwable t) {
                InternalErrors.record(InternalErrors.Kind.STARTUP, module.library(), t);
            }
        }
        return out;
    }

    /** An add-on too: a warm-up thread that cannot start leaves the work to the first event that needs it. */
    private static void warmUpNow(AgentCore core) {
        try {
            core.warmUpNow();
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.STARTUP, "warm-up", t);
        }
    }

    /** Metrics are an add-on: if they fail, sessions are still tracked, rescued and logged. */
    private static AgentMetrics registerMetrics(AgentConfig config, AgentCore core, List<String> libraries) {
        try {
            AgentMetrics metrics = new AgentMetrics(core.engine(), libraries, AgentVersion.get(),
                    config.mode().name().toLowerCase(java.util.Locale.ROOT));
            core.addListener(metrics);
            core.warmUpAtFirstSession(new PrepareMetrics(metrics));
            return metrics;
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.STARTUP, "metrics", t);
            return null;
        }
    }

    private static void serveMetrics(AgentConfig config, AgentCore core, AgentMetrics metrics) {
        if (metrics == null) {
            return;
        }
        try {
            MetricsServer server = MetricsServer.start(config.text(ConfigKey.METRICS_HOST), config.integer(ConfigKey.METRICS_PORT), metrics);
            if (server != null) {
                core.closeAtExit(server);
            }
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.STARTUP, "metrics", t);
        }
    }

    /** Classes loaded before the agent (attach to a running JVM) are instrumented by retransformation. */
    private static void retransformAlreadyLoaded(Instrumentation inst, LazyTransformer gate) {
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (gate.isTarget(c.getName().replace('.', '/')) && inst.isModifiableClass(c)) {
                loaded.add(c);
            }
        }
        for (Class<?> c : loaded) {
            try {
                inst.retransformClasses(c);
            } catch (Throwable t) {
                InternalErrors.record(InternalErrors.Kind.TRANSFORM, c.getName(), t);
            }
        }
    }
}
