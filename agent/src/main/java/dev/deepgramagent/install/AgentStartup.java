package dev.deepgramagent.install;

import dev.deepgramagent.bridge.Bridge;
import dev.deepgramagent.config.AgentConfig;
import dev.deepgramagent.config.ConfigKey;
import dev.deepgramagent.core.AgentCore;
import dev.deepgramagent.errors.InternalErrors;
import dev.deepgramagent.instrumentation.okhttp.OkHttpInstrumentation;
import dev.deepgramagent.logging.AgentLogging;
import dev.deepgramagent.metrics.AgentMetrics;
import dev.deepgramagent.metrics.MetricsServer;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.matcher.ElementMatchers;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/** The agent's start on its background thread: logging, the core, Byte Buddy, retransformation. */
final class AgentStartup {

    private static final List<InstrumentationModule> MODULES = List.of(new OkHttpInstrumentation());

    private AgentStartup() {
    }

    static void start(AgentConfig config, Instrumentation inst, LazyTransformer gate, boolean attach) {
        try {
            AgentLogging.configure(config);
            AgentCore core = new AgentCore(config);
            java.util.List<String> libraries = new java.util.ArrayList<>();
            for (InstrumentationModule module : MODULES) {
                core.registerLibrary(module.library(), module.control());
                libraries.add(module.library());
            }
            startMetrics(config, core, libraries);
            Bridge.install(core);
            gate.settle(buildTransformer());
            retransformAlreadyLoaded(inst, gate);
            AgentLogging.logger("agent").info("deepgram-agent {} started{}: mode={}, hosts={}, instrumenting {}",
                    AgentVersion.get(), attach ? " (attached)" : "", config.mode().name().toLowerCase(java.util.Locale.ROOT),
                    config.text(ConfigKey.HOSTS), InstrumentedTypes.SUMMARY);
        } catch (Throwable t) {
            gate.settle(null);
            InternalErrors.record(InternalErrors.Kind.STARTUP, "background start", t);
        }
    }

    /** Metrics are an add-on: if they fail, sessions are still tracked, rescued and logged. */
    private static void startMetrics(AgentConfig config, AgentCore core, java.util.List<String> libraries) {
        try {
            AgentMetrics metrics = new AgentMetrics(core.engine(), libraries, AgentVersion.get(),
                    config.mode().name().toLowerCase(java.util.Locale.ROOT));
            core.addListener(metrics);
            MetricsServer.start(config.text(ConfigKey.METRICS_HOST), config.integer(ConfigKey.METRICS_PORT), metrics.registry());
        } catch (Throwable t) {
            InternalErrors.record(InternalErrors.Kind.STARTUP, "metrics", t);
        }
    }

    static java.lang.instrument.ClassFileTransformer buildTransformer() {
        // Byte Buddy's "nexus" would inject a helper class into the app's system class loader (and
        // use sun.misc.Unsafe to do it, which JDK 24+ reports on stderr). The agent never needs it:
        // it makes no class format changes. The shade plugin relocates this name with Byte Buddy's.
        System.setProperty("net.bytebuddy.nexus.disabled", "true");
        AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE_FROZEN)
                .with(new TransformListener())
                // The name gate already filters; platform classes (java.net.http) must not be ignored.
                .ignore(ElementMatchers.none());
        for (InstrumentationModule module : MODULES) {
            builder = module.extend(builder);
        }
        return builder.makeRaw();
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
