-- The chapter text for the reviewers' notebooks, run after crossref.lua: what a Jupyter Markdown cell shows.
-- A float becomes its content with its caption as a paragraph (above a table, under a diagram or figure);
-- wrappers (divs, number spans with their tooltips) and links to places inside the book keep only their text.

local function caption_para(fig)
  local inlines = pandoc.Inlines{}
  for _, block in ipairs(fig.caption.long) do
    if block.content then inlines:extend(block.content) end
  end
  return pandoc.Para(inlines)
end

return {{
  Figure = function(fig)
    local out = pandoc.Blocks{}
    local above = fig.classes:includes("tbl")
    if above then out:insert(caption_para(fig)) end
    out:extend(fig.content)
    if not above then out:insert(caption_para(fig)) end
    return out
  end,
  Div = function(div) return div.content end,
  Span = function(span) return span.content end,
  Link = function(link)
    if link.target:sub(1, 1) == "#" then return link.content end
  end,
}}
