package io.qreg.registry.tag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.registry.web.ApiException;

import org.junit.jupiter.api.Test;

class TagFilterTest {

    @Test
    void theFirstColonSeparatesKeyFromValueSoValuesMayHoldColons() {
        TagFilter filter = TagFilter.parse("source:s3://bucket/a:b");
        assertThat(filter.key()).isEqualTo("source");
        assertThat(filter.value()).isEqualTo("s3://bucket/a:b");
    }

    @Test
    void anEmptyValueIsAValue() {
        assertThat(TagFilter.parse("reviewed:").value()).isEmpty();
    }

    @Test
    void anAbsentOrBlankParameterFiltersNothing() {
        assertThat(TagFilter.parse(null)).isNull();
        assertThat(TagFilter.parse("  ")).isNull();
    }

    @Test
    void aFilterWithoutKeyOrColonOrWithABadKeyIsRefusedNamingTag() {
        for (String bad : new String[] {"team", ":search", "bad key:x", "-team:x"}) {
            assertThatThrownBy(() -> TagFilter.parse(bad)).as(bad).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.field()).isEqualTo("tag"));
        }
    }

    @Test
    void theSqlConditionBindsKeyAndValueAsParametersNotText() {
        TagFilter filter = TagFilter.parse("team:x' or '1'='1");
        assertThat(filter.sqlCondition(TagSubject.MODEL, "m.id")).doesNotContain("team").doesNotContain("'1'");
        assertThat(filter.arguments()).containsExactly("team", "x' or '1'='1");
    }
}
