package dev.deepgramagent.config;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The agent's resolved configuration: every key has a valid value (its default at worst). */
public final class AgentConfig {

    public enum Mode { ACTIVE, OBSERVE }

    private final Map<ConfigKey, Object> values;
    private final Map<ConfigKey, String> sources;

    AgentConfig(Map<ConfigKey, Object> values, Map<ConfigKey, String> sources) {
        this.values = new EnumMap<>(values);
        this.sources = new EnumMap<>(sources);
    }

    public static AgentConfig defaults() {
        return ConfigLoader.load(null, Map.of(), Map.of(), line -> { });
    }

    public boolean enabled() {
        return (Boolean) values.get(ConfigKey.ENABLED);
    }

    public Mode mode() {
        return "observe".equals(values.get(ConfigKey.MODE)) ? Mode.OBSERVE : Mode.ACTIVE;
    }

    @SuppressWarnings("unchecked")
    public List<String> hosts() {
        return (List<String>) values.get(ConfigKey.HOSTS);
    }

    public String logLevel() {
        return (String) values.get(ConfigKey.LOG_LEVEL);
    }

    public boolean jsonLogs() {
        return "json".equals(values.get(ConfigKey.LOG_FORMAT));
    }

    public long millis(ConfigKey key) {
        return (Long) values.get(key);
    }

    public String text(ConfigKey key) {
        Object v = values.get(key);
        if (v instanceof List) {
            StringBuilder sb = new StringBuilder();
            for (Object item : (List<?>) v) {
                sb.append(sb.length() == 0 ? "" : ";").append(item);
            }
            return sb.toString();
        }
        return String.valueOf(v);
    }

    public int integer(ConfigKey key) {
        return (Integer) values.get(key);
    }

    /** Where a key's value came from: "agent argument", "system property", "environment" or "default". */
    public String source(ConfigKey key) {
        return sources.get(key);
    }
}
