package dev.deepgramagent.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import dev.deepgramagent.config.ConfigKey;
import dev.deepgramagent.config.ConfigLoader;
import dev.deepgramagent.install.AgentVersion;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code java -jar deepgram-agent.jar <command>}: config, list, attach, version. */
public final class Cli {

    private final PrintStream out;
    private final PrintStream err;

    Cli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** @return the process exit code. */
    public static int run(String[] args) {
        return new Cli(System.out, System.err).execute(args);
    }

    int execute(String[] args) {
        String command = args.length == 0 ? "help" : args[0];
        switch (command) {
            case "config":
                return config();
            case "list":
                return list();
            case "attach":
                return attach(args);
            case "version":
            case "--version":
                out.println("deepgram-agent " + AgentVersion.get());
                return 0;
            case "help":
            case "--help":
            case "-h":
                usage(out);
                return 0;
            default:
                err.println("deepgram-agent: unknown command '" + command + "'");
                usage(err);
                return 2;
        }
    }

    private void usage(PrintStream s) {
        s.println("usage: java -jar deepgram-agent.jar <command>");
        s.println("  config                        every configuration key, its default and what it does");
        s.println("  list                          running JVMs this user can attach to: pid and main class");
        s.println("  attach <pid> [key=value,...]  load the agent into a running JVM");
        s.println("  version                       the agent's version");
        s.println("or attach at start: java -javaagent:deepgram-agent.jar[=key=value,...] -jar app.jar");
    }

    private int config() {
        out.println("Configuration keys (precedence: agent arguments > -Ddeepgram.agent.<key> > DEEPGRAM_AGENT_<KEY> > default)");
        out.println();
        for (ConfigKey key : ConfigKey.values()) {
            out.printf("%-24s default: %s%n", key.key(), key.defaultText());
            out.printf("%-24s %s%n", "", key.description());
            out.printf("%-24s accepted: %s; env %s%n", "", key.accepted(), key.environmentVariable());
        }
        return 0;
    }

    private int list() {
        String self = String.valueOf(ProcessHandle.current().pid());
        List<VirtualMachineDescriptor> vms;
        try {
            vms = VirtualMachine.list();
        } catch (Throwable t) {
            err.println("deepgram-agent: cannot list JVMs: this Java runtime has no attach support (" + t + ")");
            return 1;
        }
        out.printf("%-10s %s%n", "PID", "MAIN CLASS");
        for (VirtualMachineDescriptor vm : vms) {
            if (vm.id().equals(self)) {
                continue;
            }
            String name = vm.displayName() == null || vm.displayName().isEmpty() ? "(unknown)" : vm.displayName();
            int space = name.indexOf(' ');
            out.printf("%-10s %s%n", vm.id(), space > 0 ? name.substring(0, space) : name);
        }
        return 0;
    }

    private int attach(String[] args) {
        if (args.length < 2 || args.length > 3) {
            err.println("deepgram-agent: usage: attach <pid> [key=value,...]");
            return 2;
        }
        String pid = args[1];
        if (!pid.matches("[0-9]+")) {
            err.println("deepgram-agent: '" + pid + "' is not a process id");
            return 2;
        }
        String options = args.length == 3 ? args[2] : "";
        // Check the options here too, so mistakes show in this terminal and not only in the target's stderr.
        List<String> problems = new ArrayList<>();
        ConfigLoader.load(options, Map.of(), Map.of(), problems::add);
        for (String p : problems) {
            err.println(p);
        }
        // Only a JVM that `list` shows: the attach handshake signals the process (SIGQUIT), which ends
        // a process that is not a JVM, and a JVM of another user cannot be attached to anyway.
        if (ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
            err.println("deepgram-agent: cannot attach to " + pid + ": no such process");
            return 2;
        }
        boolean listed;
        try {
            listed = VirtualMachine.list().stream().anyMatch(vm -> vm.id().equals(pid));
        } catch (Throwable t) {
            err.println("deepgram-agent: cannot attach: this Java runtime has no attach support (" + t + ")");
            return 1;
        }
        if (!listed) {
            err.println("deepgram-agent: " + pid + " is not a JVM this user can attach to (see `list`); nothing was sent to it");
            return 2;
        }
        String jar;
        try {
            jar = new File(Cli.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getAbsolutePath();
        } catch (Exception e) {
            err.println("deepgram-agent: cannot locate the agent jar: " + e);
            return 1;
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(pid);
        } catch (AttachNotSupportedException e) {
            err.println("deepgram-agent: cannot attach to " + pid + ": " + refusal(pid, e));
            return 1;
        } catch (IOException e) {
            err.println("deepgram-agent: cannot attach to " + pid + ": " + refusal(pid, e));
            return 1;
        } catch (SecurityException e) {
            err.println("deepgram-agent: cannot attach to " + pid + ": not permitted (" + e.getMessage() + ")");
            return 1;
        }
        try {
            vm.loadAgent(jar, options);
            out.println("deepgram-agent: attached to " + pid + "; the agent logs to that process's stderr");
            out.println("deepgram-agent: " + adopted(vm) + " open Deepgram session(s) adopted so far; open sessions that"
                    + " send nothing now are adopted at their next frame");
            return 0;
        } catch (AgentLoadException | AgentInitializationException e) {
            err.println("deepgram-agent: " + pid + " refused the agent: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("deepgram-agent: lost the connection to " + pid + " while loading the agent: " + e.getMessage());
            return 1;
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the target may have exited
            }
        }
    }

    /**
     * How many sessions the agent adopted: it counts them in the target's system property
     * deepgram.agent.adopted. Streams that are sending are adopted within a frame, so a short wait.
     */
    private static String adopted(VirtualMachine vm) {
        String count = "0";
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1500);
        try {
            do {
                count = vm.getSystemProperties().getProperty("deepgram.agent.adopted", "0");
                Thread.sleep(250); // a command-line tool polling another process: no event to wait on
            } while (System.nanoTime() < deadline);
        } catch (IOException | InterruptedException e) {
            // the count is informative; the attach itself succeeded
        }
        return count;
    }

    private static String refusal(String pid, Exception e) {
        if (ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
            return "no such process";
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message + " (is it a JVM of the same user, started without -XX:+DisableAttachMechanism?)";
    }
}
