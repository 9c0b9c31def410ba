-- Pandoc has no translations for Kazakh and warns "Could not load translations for kk" when the document's
-- metadata names it (after Quarto's own filters, which have used it). The Kazakh profile gives the language
-- to the templates as a variable (format: ...: variables: lang: kk) and Quarto's labels through
-- _language-kk.yml, so the metadata entry is dropped here, at the very end.
function Meta(meta)
  meta.lang = nil
  return meta
end
