package dev.deepgramagent.bootstrap;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.jar.JarFile;

/**
 * Entry points named in the jar's manifest: {@code premain} (-javaagent), {@code agentmain} (attach)
 * and {@code main} (the command line). Kept tiny on purpose: it is loaded by the app's system class
 * loader, so it only opens the jar, creates the agent's isolated class loader and hands over.
 */
public final class AgentEntry {

    private static final String INSTALLER = "dev.deepgramagent.install.AgentInstaller";
    private static final String CLI = "dev.deepgramagent.cli.Cli";

    /** Set once an installation succeeded, so a second attach does not instrument twice. */
    private static volatile boolean installed;

    private AgentEntry() {
    }

    public static void premain(String args, Instrumentation inst) {
        start(args, inst, false);
    }

    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst, true);
    }

    public static void main(String[] args) {
        int exit;
        try {
            // The CLI runs in its own JVM; the system loader as parent makes jdk.attach visible.
            AgentClassLoader loader = new AgentClassLoader(openAgentJar(), ClassLoader.getSystemClassLoader());
            Method main = loader.loadClass(CLI).getMethod("run", String[].class);
            exit = (Integer) main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            System.err.println("deepgram-agent: " + e.getCause());
            exit = 1;
        } catch (Throwable t) {
            System.err.println("deepgram-agent: " + t);
            exit = 1;
        }
        System.exit(exit);
    }

    private static synchronized void start(String args, Instrumentation inst, boolean attach) {
        if (installed) {
            System.err.println("deepgram-agent: already running in this JVM; ignoring the new "
                    + (attach ? "attach" : "-javaagent"));
            return;
        }
        try {
            JarFile jar = openAgentJar();
            // Parent = platform loader: the agent never sees the app's classes or resources
            // (its logback.xml included); bridge classes come from the bootstrap class path.
            AgentClassLoader loader = new AgentClassLoader(jar, ClassLoader.getPlatformClassLoader());
            Method install = loader.loadClass(INSTALLER)
                    .getMethod("install", String.class, Instrumentation.class, JarFile.class, boolean.class);
            installed = (Boolean) install.invoke(null, args, inst, jar, attach);
        } catch (Throwable t) {
            // Never let the agent stop the app from starting.
            Throwable cause = t instanceof InvocationTargetException ? t.getCause() : t;
            System.err.println("deepgram-agent: not started: " + cause);
        }
    }

    static JarFile openAgentJar() throws Exception {
        URI location = AgentEntry.class.getProtectionDomain().getCodeSource().getLocation().toURI();
        return new JarFile(new File(location), false);
    }
}
