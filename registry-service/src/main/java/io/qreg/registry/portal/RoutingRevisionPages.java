package io.qreg.registry.portal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.qreg.registry.support.CanonicalJson;

import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.JsonNode;

/**
 * View models of the routing revision pages and the pure functions behind them: a revision's
 * change in one line, a document laid out for reading, and two revisions compared line by line.
 */
public final class RoutingRevisionPages {

    private RoutingRevisionPages() {
    }

    /** A revision in the list, with what changed since the one before in one line and who applied it. */
    public record RevisionRow(long revision, Instant generatedAt, String etag, String change, List<String> gateways) {
    }

    /** Two revisions compared line by line. */
    public record DiffView(long from, long to, List<LineDiff.Hunk> hunks, int added, int removed) {

        public boolean identical() {
            return hunks.isEmpty();
        }
    }

    static DiffView diff(long from, long to, String before, String after, int context) {
        List<LineDiff.Line> lines = LineDiff.diff(pretty(before).lines().toList(), pretty(after).lines().toList());
        return new DiffView(from, to, LineDiff.hunks(lines, context), LineDiff.count(lines, LineDiff.Kind.ADDED),
                LineDiff.count(lines, LineDiff.Kind.REMOVED));
    }

    /**
     * Jackson's pretty printer laid out for line diffs: one object key per line, two spaces a level,
     * {@code "key": value}; arrays stay inline ({@code [5, 25, 100]}, {@code [{ ... }, { ... }]})
     * so the objects in them still give one key per line. A changed weight or phase is then a
     * changed line, which is what makes a line diff of two revisions readable.
     */
    private static final DefaultPrettyPrinter LAYOUT = new DefaultPrettyPrinter(Separators.createDefaultInstance()
            .withObjectNameValueSpacing(Separators.Spacing.AFTER)
            .withArrayElementSpacing(Separators.Spacing.AFTER)
            .withObjectEmptySeparator("")
            .withArrayEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(DefaultPrettyPrinter.NopIndenter.instance());

    /** The document laid out by {@link #LAYOUT} with keys sorted, as the canonical form sorts them. */
    static String pretty(String json) {
        JsonNode sorted = CanonicalJson.mapper().readTree(CanonicalJson.write(CanonicalJson.mapper().readTree(json)));
        return CanonicalJson.mapper().writer().with(LAYOUT).writeValueAsString(sorted) + "\n";
    }

    /**
     * What changed from one routing document to the next, in one line: per rule, backends added,
     * removed or re-weighted and rollout phase changes; then a changed top-level rollout. Revision
     * numbers and times are left out: they change every time.
     */
    static String change(String before, String after) {
        if (before == null) {
            return "first revision: " + servedSummary(CanonicalJson.mapper().readTree(after));
        }
        JsonNode a = CanonicalJson.mapper().readTree(before);
        JsonNode b = CanonicalJson.mapper().readTree(after);
        Map<String, JsonNode> oldRules = rules(a);
        Map<String, JsonNode> newRules = rules(b);
        List<String> parts = new ArrayList<>();
        for (var e : newRules.entrySet()) {
            JsonNode old = oldRules.get(e.getKey());
            List<String> changes = new ArrayList<>();
            if (old == null) {
                changes.add("now served by " + backendsSummary(e.getValue()));
            } else {
                changes.addAll(backendChanges(old, e.getValue()));
                String oldPhase = phase(old.get("rollout"));
                String newPhase = phase(e.getValue().get("rollout"));
                if (oldPhase != null && newPhase != null && !oldPhase.equals(newPhase)) {
                    changes.add("rollout " + newPhase.toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
                }
                if (!Objects.equals(text(old.get("fallback"), "cluster"), text(e.getValue().get("fallback"),
                        "cluster"))) {
                    String to = text(e.getValue().get("fallback"), "cluster");
                    changes.add(to == null ? "fallback removed" : "fallback " + shortCluster(to));
                }
            }
            if (!changes.isEmpty()) {
                parts.add(e.getKey() + ": " + String.join(", ", changes));
            }
        }
        for (String gone : oldRules.keySet()) {
            if (!newRules.containsKey(gone)) {
                parts.add(gone + ": no longer served");
            }
        }
        if (parts.isEmpty()) {
            String oldRollout = text(a.get("rollout"), "id");
            String newRollout = text(b.get("rollout"), "id");
            if (!Objects.equals(oldRollout, newRollout)) {
                parts.add(newRollout == null ? "no active rollout" : "rollout " + newRollout.substring(0, 8)
                        + " is the latest moved");
            }
        }
        return parts.isEmpty() ? "routes re-published unchanged" : String.join("; ", parts);
    }

    private static String servedSummary(JsonNode doc) {
        Map<String, JsonNode> rules = rules(doc);
        if (rules.isEmpty()) {
            return "no tier served yet";
        }
        List<String> parts = new ArrayList<>();
        rules.forEach((name, rule) -> parts.add(name + ": " + backendsSummary(rule)));
        return String.join("; ", parts);
    }

    private static Map<String, JsonNode> rules(JsonNode doc) {
        Map<String, JsonNode> rules = new LinkedHashMap<>();
        JsonNode list = doc.get("rules");
        if (list != null) {
            list.forEach(rule -> rules.put(rule.get("name").asString(), rule));
        }
        return rules;
    }

    private static String backendsSummary(JsonNode rule) {
        List<String> parts = new ArrayList<>();
        rule.get("backends").forEach(b -> parts.add(b.get("role").asString() + " " + cluster(b) + " "
                + b.get("weight").asInt() + "%"));
        return String.join(", ", parts);
    }

    private static List<String> backendChanges(JsonNode oldRule, JsonNode newRule) {
        Map<String, JsonNode> before = new LinkedHashMap<>();
        oldRule.get("backends").forEach(b -> before.put(b.get("cluster").asString(), b));
        Map<String, JsonNode> after = new LinkedHashMap<>();
        newRule.get("backends").forEach(b -> after.put(b.get("cluster").asString(), b));
        List<String> changes = new ArrayList<>();
        after.forEach((cluster, b) -> {
            JsonNode o = before.get(cluster);
            String role = b.get("role").asString();
            int weight = b.get("weight").asInt();
            if (o == null) {
                changes.add(role + " " + cluster(b) + " added at " + weight + "%");
            } else if (!o.get("role").asString().equals(role)) {
                changes.add(cluster(b) + " " + o.get("role").asString() + " → " + role + " at " + weight + "%");
            } else if (o.get("weight").asInt() != weight) {
                changes.add(role + " " + cluster(b) + " " + o.get("weight").asInt() + "% → " + weight + "%");
            }
        });
        before.forEach((cluster, o) -> {
            if (!after.containsKey(cluster)) {
                changes.add(o.get("role").asString() + " " + cluster(o) + " removed");
            }
        });
        return changes;
    }

    /** {@code v-1a2b3c4d}: the cluster name cut to the id's first eight characters. */
    private static String cluster(JsonNode backend) {
        return shortCluster(backend.get("cluster").asString());
    }

    private static String shortCluster(String c) {
        int dash = c.indexOf('-');
        return dash > 0 && c.length() > dash + 9 ? c.substring(0, dash + 9) : c;
    }

    private static String phase(JsonNode rollout) {
        return rollout == null || rollout.isNull() ? null : rollout.get("phase").asString();
    }

    private static String text(JsonNode node, String field) {
        if (node == null || node.isNull() || node.get(field) == null) {
            return null;
        }
        return node.get(field).asString();
    }
}
