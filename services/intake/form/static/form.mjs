// Progressive enhancement only: the form works without this file (plain POSTs, fields always shown).
import { initAll } from '/govuk-frontend/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
