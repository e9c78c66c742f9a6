from django import template

register = template.Library()


@register.filter
def skill_level_name(skill, level) -> str:
    """The library's name for a level of this skill (its own definitions, else the default)."""
    return skill.level_name(int(level))
