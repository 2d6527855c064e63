package dev.deepgramagent.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Prometheus rules file: every rule's name (record or alert) and expression. */
final class Rules {

    private Rules() {
    }

    static Map<String, String> expressions(Path file) throws Exception {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode group : root.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
                out.put(name, rule.path("expr").asText());
            }
        }
        return out;
    }
}
