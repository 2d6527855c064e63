package dev.deepgramagent.install;

import dev.deepgramagent.config.AgentConfig;
import dev.deepgramagent.config.ConfigKey;
import dev.deepgramagent.config.ConfigLoader;

import java.lang.instrument.Instrumentation;
import java.util.function.Consumer;
import java.util.jar.JarFile;

/**
 * Installs the agent. The {@code premain} path only resolves the configuration and registers a
 * name gate; the bridge, Byte Buddy, logging and the core start on a daemon thread
 * ({@link BridgeInjector}, {@link AgentStartup}). No lambda and no Byte Buddy type is touched here: both
 * cost tens of milliseconds of class loading that the app's start-up would pay.
 */
public final class AgentInstaller {

    private AgentInstaller() {
    }

    /** @return whether anything was installed. */
    public static boolean install(String agentArgs, Instrumentation inst, JarFile agentJar, boolean attach) {
        AgentConfig config = ConfigLoader.fromEnvironment(agentArgs, new Stderr());
        if (!config.enabled()) {
            return false;
        }
        LazyTransformer gate = new LazyTransformer(InstrumentedTypes.INTERNAL_NAMES, config.millis(ConfigKey.INIT_TIMEOUT));
        inst.addTransformer(gate, true);
        Thread starter = new Thread(new Starter(config, inst, agentJar, gate, attach), "deepgram-agent-init");
        starter.setDaemon(true);
        starter.setContextClassLoader(AgentInstaller.class.getClassLoader());
        starter.start();
        if (attach) {
            // The app is already running, so nothing waits on us: let `attach` return once the
            // already-loaded classes are instrumented, not before.
            try {
                starter.join(config.millis(ConfigKey.INIT_TIMEOUT));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return true;
    }

    private static final class Stderr implements Consumer<String> {
        @Override
        public void accept(String line) {
            System.err.println(line);
        }
    }

    private static final class Starter implements Runnable {
        private final AgentConfig config;
        private final Instrumentation inst;
        private final JarFile agentJar;
        private final LazyTransformer gate;
        private final boolean attach;

        Starter(AgentConfig config, Instrumentation inst, JarFile agentJar, LazyTransformer gate, boolean attach) {
            this.config = config;
            this.inst = inst;
            this.agentJar = agentJar;
            this.gate = gate;
            this.attach = attach;
        }

        @Override
        public void run() {
            // The bridge must be in the bootstrap loader before any class that refers to it loads:
            // AgentStartup's verification already resolves the bridge types.
            try {
                BridgeInjector.inject(inst, agentJar);
            } catch (Throwable t) {
                gate.settle(null);
                System.err.println("deepgram-agent: not started, the bridge could not be installed: " + t);
                return;
            }
            AgentStartup.start(config, inst, gate, attach);
        }
    }
}
