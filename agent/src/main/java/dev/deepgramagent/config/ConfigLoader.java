package dev.deepgramagent.config;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Resolves the configuration from, in order of precedence: agent arguments
 * ({@code key=value,key=value}), system properties {@code deepgram.agent.<key>}, environment
 * variables {@code DEEPGRAM_AGENT_<KEY>}, defaults. Every problem is reported as exactly one line
 * to {@code warn}; the key concerned keeps its default and loading never fails.
 */
public final class ConfigLoader {

    static final String PREFIX = "deepgram-agent: config: ";
    private static final String ARGS = "agent argument";
    private static final String PROPERTY = "system property";
    private static final String ENV = "environment";

    private ConfigLoader() {
    }

    public static AgentConfig fromEnvironment(String agentArgs, Consumer<String> warn) {
        Map<String, String> props = new LinkedHashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("deepgram.agent.")) {
                props.put(name, System.getProperty(name));
            }
        }
        return load(agentArgs, props, System.getenv(), warn);
    }

    public static AgentConfig load(String agentArgs, Map<String, String> systemProperties,
                                   Map<String, String> environment, Consumer<String> warn) {
        Map<ConfigKey, String> raw = new EnumMap<>(ConfigKey.class);
        Map<ConfigKey, String> rawSource = new EnumMap<>(ConfigKey.class);

        // Lowest precedence first; later sources overwrite.
        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (!e.getKey().startsWith("DEEPGRAM_AGENT_")) {
                continue;
            }
            ConfigKey key = ConfigKey.byEnvironmentVariable(e.getKey());
            if (key == null) {
                warn.accept(PREFIX + "unknown environment variable " + e.getKey() + "; " + knownKeys());
                continue;
            }
            raw.put(key, e.getValue());
            rawSource.put(key, ENV + " " + e.getKey());
        }
        for (Map.Entry<String, String> e : systemProperties.entrySet()) {
            if (!e.getKey().startsWith("deepgram.agent.")) {
                continue;
            }
            String name = e.getKey().substring("deepgram.agent.".length());
            ConfigKey key = ConfigKey.byKey(name);
            if (key == null) {
                warn.accept(PREFIX + "unknown system property -D" + sanitize(e.getKey()) + "; " + knownKeys());
                continue;
            }
            raw.put(key, e.getValue());
            rawSource.put(key, PROPERTY + " -D" + e.getKey());
        }
        parseAgentArguments(agentArgs, raw, rawSource, warn);

        Map<ConfigKey, Object> values = new EnumMap<>(ConfigKey.class);
        Map<ConfigKey, String> sources = new EnumMap<>(ConfigKey.class);
        for (ConfigKey key : ConfigKey.values()) {
            values.put(key, key.defaultValue());
            sources.put(key, "default");
            String value = raw.get(key);
            if (value == null) {
                continue;
            }
            try {
                values.put(key, key.type().parse(value));
                sources.put(key, rawSource.get(key));
            } catch (IllegalArgumentException e) {
                warn.accept(PREFIX + "ignoring " + key.key() + "=" + sanitize(value) + " from "
                        + rawSource.get(key) + " (" + e.getMessage() + "); accepted: " + key.accepted()
                        + "; using the default " + key.defaultText());
            }
        }
        return new AgentConfig(values, sources);
    }

    private static void parseAgentArguments(String agentArgs, Map<ConfigKey, String> raw,
                                            Map<ConfigKey, String> rawSource, Consumer<String> warn) {
        if (agentArgs == null || agentArgs.trim().isEmpty()) {
            return;
        }
        ConfigKey previous = null;
        for (String segment : agentArgs.split(",", -1)) {
            String s = segment.trim();
            if (s.isEmpty()) {
                continue;
            }
            int eq = s.indexOf('=');
            if (eq < 0) {
                // "hosts=a.example,b.example": a bare item continues the previous list-valued key.
                if (previous != null && previous.type().isList()) {
                    raw.put(previous, raw.get(previous) + ";" + s);
                    continue;
                }
                warn.accept(PREFIX + "malformed agent argument '" + sanitize(s)
                        + "': expected key=value pairs separated by ','; ignored");
                previous = null;
                continue;
            }
            String name = s.substring(0, eq).trim();
            String value = s.substring(eq + 1);
            if (name.isEmpty()) {
                warn.accept(PREFIX + "malformed agent argument '" + sanitize(s)
                        + "': the key before '=' is missing; ignored");
                previous = null;
                continue;
            }
            ConfigKey key = ConfigKey.byKey(name);
            if (key == null) {
                warn.accept(PREFIX + "unknown key '" + sanitize(name) + "' in agent arguments; " + knownKeys());
                previous = null;
                continue;
            }
            raw.put(key, value);
            rawSource.put(key, ARGS);
            previous = key;
        }
    }

    private static String knownKeys() {
        StringBuilder sb = new StringBuilder("known keys: ");
        ConfigKey[] keys = ConfigKey.values();
        for (int i = 0; i < keys.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(keys[i].key());
        }
        return sb.append(" (java -jar deepgram-agent.jar config describes them)").toString();
    }

    /** Values are echoed back to the user: keep them on one line and short. */
    static String sanitize(String value) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < value.length() && sb.length() < 80; i++) {
            char c = value.charAt(i);
            sb.append(Character.isISOControl(c) || !Character.isDefined(c) ? '?' : c);
        }
        if (value.length() > 80) {
            sb.append("...");
        }
        return sb.toString();
    }
}
